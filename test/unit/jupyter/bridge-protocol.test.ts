import assert from "node:assert/strict";
import { parseToBridge } from "../../../kernel/src/jupyter/bridge-protocol.js";

describe("parseToBridge()", () => {
  it("reads execute, interrupt, restart and shutdown requests", () => {
    assert.deepEqual(parseToBridge('{"type":"execute","id":"c1","code":"1+1"}'), { type: "execute", id: "c1", code: "1+1" });
    assert.deepEqual(parseToBridge('{"type":"interrupt","extra":1}'), { type: "interrupt" });
    assert.deepEqual(parseToBridge('{"type":"restart"}'), { type: "restart" });
  });

  it("rejects lines that are not JSON, unknown types and executes without code", () => {
    assert.equal(parseToBridge("nope"), undefined);
    assert.equal(parseToBridge('{"type":"eval"}'), undefined);
    assert.equal(parseToBridge('{"type":"execute","id":"c1"}'), undefined);
    assert.equal(parseToBridge("null"), undefined);
  });
});
