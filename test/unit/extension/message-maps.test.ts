import assert from "node:assert/strict";
import { isMessage } from "../../../webviews/src/protocol/messages.js";
import { RUNS_TO_HOST, RUNS_TO_WEBVIEW, type RunsToHost } from "../../../webviews/src/protocol/runs.js";
import { STATS_TO_HOST, STATS_TO_WEBVIEW } from "../../../webviews/src/protocol/stats.js";

describe("isMessage()", () => {
  it("accepts only messages whose type is in the map", () => {
    assert.ok(isMessage<RunsToHost>({ type: "action", body: { action: "cancel", id: "j1" } }, RUNS_TO_HOST));
    assert.equal(isMessage<RunsToHost>({ type: "eval", body: "x" }, RUNS_TO_HOST), false);
    assert.equal(isMessage<RunsToHost>("ready", RUNS_TO_HOST), false);
    assert.equal(isMessage<RunsToHost>(null, RUNS_TO_HOST), false);
  });

  it("lists every key of each map", () => {
    assert.deepEqual([...RUNS_TO_WEBVIEW].sort(), ["actionResult", "history", "init"]);
    assert.deepEqual([...STATS_TO_HOST, ...STATS_TO_WEBVIEW], ["ready", "init"]);
  });
});
