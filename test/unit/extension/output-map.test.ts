import assert from "node:assert/strict";
import { bundleItems, isJsonMime, mapOutput } from "../../../extension/src/notebook/output-map.js";

describe("mapOutput()", () => {
  it("maps a stream message to stdout or stderr text", () => {
    assert.deepEqual(mapOutput("stream", { name: "stderr", text: "warn\n" }), { kind: "stream", name: "stderr", text: "warn\n" });
    assert.deepEqual(mapOutput("stream", { name: "stdout", text: "hi\n" }), { kind: "stream", name: "stdout", text: "hi\n" });
  });

  it("keeps the display id of a display_data message so updates can find it", () => {
    const part = mapOutput("display_data", { data: { "text/plain": "x" }, metadata: {}, transient: { display_id: "d1" } });
    assert.equal(part?.kind, "rich");
    assert.equal(part?.kind === "rich" ? part.displayId : undefined, "d1");
  });

  it("turns update_display_data into an in-place update, and drops one without a display id", () => {
    assert.equal(mapOutput("update_display_data", { data: { "text/plain": "2" }, transient: { display_id: "d1" } })?.kind, "update");
    assert.equal(mapOutput("update_display_data", { data: { "text/plain": "2" } }), undefined);
  });

  it("joins the traceback of an error", () => {
    assert.deepEqual(mapOutput("error", { ename: "TypeError", evalue: "x is undefined", traceback: ["line 1", "line 2"] }), { kind: "error", name: "TypeError", message: "x is undefined", stack: "line 1\nline 2" });
  });

  it("passes the wait flag of clear_output", () => {
    assert.deepEqual(mapOutput("clear_output", { wait: true }), { kind: "clear", wait: true });
  });
});

describe("bundleItems()", () => {
  it("puts a Vega-Lite chart before images, HTML and plain text, JSON kept as a value", () => {
    const items = bundleItems({ "text/plain": "<chart>", "text/html": "<b>x</b>", "image/png": "aGk=\n", "application/vnd.vegalite.v5+json": { mark: "bar" } });
    assert.deepEqual(items.map((i) => i.mime), ["application/vnd.vegalite.v5+json", "image/png", "text/html", "text/plain"]);
    assert.deepEqual(items[0], { mime: "application/vnd.vegalite.v5+json", value: { mark: "bar" }, encoding: "json" });
    assert.deepEqual(items[1], { mime: "image/png", value: "aGk=", encoding: "base64" });
  });

  it("joins multi-line text given as a list", () => {
    assert.deepEqual(bundleItems({ "text/plain": ["a\n", "b"] }), [{ mime: "text/plain", value: "a\nb", encoding: "text" }]);
  });

  it("knows JSON MIME types", () => {
    assert.deepEqual(["application/json", "application/vnd.vegalite.v5+json", "text/plain"].map(isJsonMime), [true, true, false]);
  });
});
