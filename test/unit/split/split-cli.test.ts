import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeLegacyJsonl, type SplitFileReport } from "trainset";
import { runCli } from "../../support/cli.js";
import { useTempDir } from "../../support/tmp.js";
import { syntheticExams } from "./fixtures.js";

describe("trainset split", () => {
  const dir = useTempDir();

  it("writes the splits and prints the report table", async () => {
    await writeLegacyJsonl(
      join(dir(), "legacy.jsonl"),
      syntheticExams({ exams: 80, rows: 1200, prevalence: [0.1, 0.3], seed: 8 }),
    );
    const run = await runCli(
      [
        "split",
        "--input",
        "legacy.jsonl",
        "--out",
        "splits",
        "--ratios",
        "train=0.7,val=0.2,test=0.1",
        "--seed",
        "3",
      ],
      { cwd: dir() },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^legacy\.jsonl \(legacy-jsonl\): 1\d{3} images in 80 groups by old_examination_id; labels from labels$/m,
    );
    assert.match(
      run.stdout,
      /^split +samples +share +target +groups +max rel\. dev +absent labels$/m,
    );
    assert.match(run.stdout, /^val +\d+ +\d+\.\d\d% +20\.00% +\d+ /m);
    assert.match(
      run.stdout,
      /^mode stratified, seed 3; ratio error \d\.\d\d points; largest relative deviation /m,
    );
    assert.deepEqual((await readdir(join(dir(), "splits"))).sort(), [
      "split_report.json",
      "test.jsonl",
      "train.jsonl",
      "val.jsonl",
    ]);
    const json = await runCli(
      ["split", "--input", "legacy.jsonl", "--out", "k", "--folds", "3", "--json"],
      { cwd: dir() },
    );
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as SplitFileReport;
    assert.deepEqual(
      report.splits.map((s) => s.name),
      ["fold-1", "fold-2", "fold-3"],
    );
    assert.deepEqual(
      JSON.parse(await readFile(join(dir(), "k", "split_report.json"), "utf8")),
      report,
    );
  });

  it("exits 2 with the usage for bad ratios, modes and combinations", async () => {
    const cases: [string[], RegExp][] = [
      [["--ratios", "0.5,0.4"], /sum to 0\.9, not 1/],
      [["--ratios", "0.5,0.5", "--folds", "2"], /either --ratios or --folds/],
      [["--split-mode", "magic"], /--split-mode must be one of stratified, lx-ai, random-groups/],
      [["--folds", "1"], /--folds must be at least 2/],
      [["--folds", "3", "--split-mode", "lx-ai"], /lx-ai has no k-fold/],
    ];
    for (const [extra, message] of cases) {
      const run = await runCli(["split", "--input", "x.jsonl", "--out", "o", ...extra], {
        cwd: dir(),
      });
      assert.equal(run.code, 2, `${extra.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /Usage: trainset split/);
    }
    const missing = await runCli(["split", "--out", "o"], { cwd: dir() });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --input FILE/);
  });

  it("exits 1 naming the file when the input cannot be read", async () => {
    const run = await runCli(["split", "--input", "nope.jsonl", "--out", "o"], { cwd: dir() });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /nope\.jsonl/);
  });
});
