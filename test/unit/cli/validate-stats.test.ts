import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FRAME_TABLE_FIELDS, writeLegacyJsonl } from "trainset";
import { runCli } from "../../support/cli.js";
import { useTempDir } from "../../support/tmp.js";

const HEADER = FRAME_TABLE_FIELDS.join(",") + "\r\n";
const ROW = "1,7,h,100,1,frame_100.jpg,,3,polyp,True,,,1,manual_annotation,,2025-01-01T00:00:00,2025-01-01T00:00:00\r\n";

describe("trainset validate", () => {
  const dir = useTempDir();

  it("exits 0 and says valid for a clean file", async () => {
    const path = join(dir(), "annotations.csv");
    await writeFile(path, HEADER + ROW);
    const run = await runCli(["validate", path]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), `${path}: frame-table: valid (0 errors, 0 warnings)`);
  });

  it("prints file:line issues and exits 1 when the data has errors", async () => {
    const path = join(dir(), "annotations.csv");
    await writeFile(path, HEADER + ROW + ROW.replace("True", "perhaps").replace(/^1,/, "2,"));
    const run = await runCli(["validate", path]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:3: error: value must be True or False, got "perhaps" \\(value\\) \\[bad-field\\]$`, "m"));
  });

  it("finds every dataset in a folder and reports each", async () => {
    await mkdir(join(dir(), "a"));
    await writeFile(join(dir(), "a", "annotations.csv"), HEADER + ROW);
    await writeLegacyJsonl(join(dir(), "legacy.jsonl"), [{ labels: ["polyp"], old_examination_id: 1, old_id: 1, filename: "1.jpg" }]);
    await writeFile(join(dir(), "notes.txt"), "not a dataset");
    const run = await runCli(["validate", dir(), "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { datasets: Array<{ format: string }> };
    assert.deepEqual(report.datasets.map((d) => d.format), ["frame-table", "legacy-jsonl"]);
  });

  it("exits 1 with a clear message for something that is no dataset", async () => {
    const path = join(dir(), "notes.txt");
    await writeFile(path, "hello");
    const run = await runCli(["validate", path]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Cannot validate ".*notes\.txt": no dataset trainset recognises is there/);
  });

  it("exits 2 with the usage when the path is missing", async () => {
    const run = await runCli(["validate"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /missing the file or folder to validate/);
    assert.match(run.stderr, /Usage: trainset validate/);
  });
});

describe("trainset stats", () => {
  const dir = useTempDir();

  it("prints counts as text and as JSON", async () => {
    const path = join(dir(), "legacy.jsonl");
    await writeLegacyJsonl(path, [
      { labels: ["polyp", "blood"], old_examination_id: 1, old_id: 1, filename: "1.jpg" },
      { labels: ["polyp"], old_examination_id: 2, old_id: 2, filename: "2.jpg" },
    ]);
    const text = await runCli(["stats", path]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /images\s+2/);
    assert.match(text.stdout, /polyp\s+2/);
    const json = await runCli(["stats", path, "--json"]);
    const parsed = JSON.parse(json.stdout) as { datasets: Array<{ format: string; images: number; perLabel: Record<string, number> }> };
    assert.equal(parsed.datasets[0]?.format, "legacy-jsonl");
    assert.deepEqual(parsed.datasets[0]?.perLabel, { polyp: 2, blood: 1 });
  });
});

describe("trainset", () => {
  it("lists its commands with --help and refuses an unknown command with exit 2", async () => {
    const help = await runCli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /validate\s+validate a dataset/);
    const unknown = await runCli(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });
});
