import assert from "node:assert/strict";
import { describeCounts, issuesByFile, parseStatsOutput, parseValidateOutput } from "../../../extension/src/explorer/dataset-report.js";

describe("parseStatsOutput()", () => {
  it("reads the datasets of `trainset stats --json`", () => {
    const stats = parseStatsOutput(JSON.stringify({ datasets: [{ path: "/w/a.json", format: "coco", images: 2 }, { nope: 1 }] }));
    assert.deepEqual(stats, [{ path: "/w/a.json", format: "coco", images: 2 }]);
  });

  it("names the command when the output is not JSON", () => {
    assert.throws(() => parseStatsOutput("oops"), /Cannot read the output of trainset stats --json: it is not JSON/);
    assert.throws(() => parseStatsOutput("{}"), /"datasets" is missing/);
  });
});

describe("describeCounts()", () => {
  it("lists images, records and labels", () => {
    assert.equal(describeCounts({ path: "a", format: "coco", images: 24, records: 47, recordsLabel: "annotations", perLabel: { a: 1, b: 2, c: 3 } }), "24 images · 47 annotations · 3 labels");
  });

  it("uses the singular for one", () => {
    assert.equal(describeCounts({ path: "a", format: "pairs", images: 1, perLabel: { a: 1 } }), "1 image · 1 label");
  });
});

describe("parseValidateOutput() and issuesByFile()", () => {
  const output = JSON.stringify({
    datasets: [
      { path: "/w/l.jsonl", format: "legacy-jsonl", errors: 1, warnings: 1, issues: [
        { severity: "error", rule: "bad-json", message: "not JSON", file: "/w/l.jsonl", line: 3 },
        { severity: "warning", rule: "no-exam", message: "no examination", line: 7, field: "old_examination_id" },
        { severity: "info", rule: "x", message: "dropped" },
      ] },
    ],
  });

  it("keeps errors and warnings with their counts", () => {
    const [result] = parseValidateOutput(output);
    assert.equal(result?.errors, 1);
    assert.equal(result?.issues.length, 2);
  });

  it("groups issues by file with 0-based lines, using the dataset path when an issue has no file", () => {
    const byFile = issuesByFile(parseValidateOutput(output));
    assert.deepEqual(byFile.get("/w/l.jsonl")?.map((i) => i.line0), [2, 6]);
  });
});
