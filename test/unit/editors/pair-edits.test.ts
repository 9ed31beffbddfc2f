import assert from "node:assert/strict";
import { applyPairOp } from "../../../extension/src/editors/pairs/pair-edits.js";

describe("applyPairOp()", () => {
  const record = { project: "p", timestamp: "20240101_120000", chosen_path: "a.jpg", chosen_stage: 2, neg_paths: ["b.jpg", "c.jpg"], neg_stages: [1, 3], was_cropped: false, metadata: { raw_dir: "raw" } };

  it("makes a loser the winner and moves the old winner to the losers, stages in step", () => {
    const out = JSON.parse(applyPairOp(JSON.stringify(record), { op: "flip", winner: "c.jpg" }) ?? "null") as Record<string, unknown>;
    assert.equal(out["chosen_path"], "c.jpg");
    assert.equal(out["chosen_stage"], 3);
    assert.deepEqual(out["neg_paths"], ["a.jpg", "b.jpg"]);
    assert.deepEqual(out["neg_stages"], [2, 1]);
    assert.equal(out["flipped"], true);
    assert.deepEqual(out["metadata"], record.metadata);
  });

  it("marks a tie and clears it, and refuses a winner that is not a loser", () => {
    const tie = applyPairOp(JSON.stringify(record), { op: "mark", mark: "tie" });
    assert.equal((JSON.parse(tie ?? "{}") as Record<string, unknown>)["review"], "tie");
    assert.equal(applyPairOp(tie ?? "", { op: "mark", mark: null }), JSON.stringify(record));
    assert.equal(applyPairOp(JSON.stringify(record), { op: "flip", winner: "zzz.jpg" }), null);
  });
});
