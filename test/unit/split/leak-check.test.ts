import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkLeaks, splitFile, writeLegacyJsonl, type LegacyRecord } from "trainset";
import { runCli } from "../../support/cli.js";
import { useTempDir } from "../../support/tmp.js";
import { syntheticExams } from "./fixtures.js";

const record = (exam: number, id: number, labels: string[] = ["polyp"]): LegacyRecord => ({
  labels,
  old_examination_id: exam,
  old_id: id,
  filename: `${id}.jpg`,
});

describe("checkLeaks()", () => {
  const dir = useTempDir();

  async function images(
    ids: number[],
    content: (id: number) => string = (id) => `pixels of ${id}`,
  ): Promise<void> {
    await mkdir(join(dir(), "images"), { recursive: true });
    for (const id of ids) await writeFile(join(dir(), "images", `${id}.jpg`), content(id));
  }

  it("finds nothing in the files that splitFile wrote", async () => {
    const records = syntheticExams({ exams: 50, rows: 500, prevalence: [0.2], seed: 4 });
    await images(records.map((r) => Number(r.old_id)));
    const input = join(dir(), "legacy.jsonl");
    await writeLegacyJsonl(input, records);
    await splitFile(input, { out: join(dir(), "s") });
    const report = await checkLeaks(
      ["train", "val", "test"].map((s) => join(dir(), "s", `${s}.jsonl`)),
      { images: join(dir(), "images") },
    );
    assert.equal(report.leak, false);
    assert.equal(report.sharedGroupCount, 0);
    assert.equal(report.duplicateImageCount, 0);
    assert.equal(report.missingImages, 0);
    assert.equal(
      report.files.reduce((a, f) => a + f.samples, 0),
      records.length,
    );
  });

  it("reports a group that is in two splits", async () => {
    await writeLegacyJsonl(join(dir(), "a.jsonl"), [record(1, 1), record(2, 2)]);
    await writeLegacyJsonl(join(dir(), "b.jsonl"), [record(2, 3), record(3, 4)]);
    await images([1, 2, 3, 4]);
    const report = await checkLeaks([join(dir(), "a.jsonl"), join(dir(), "b.jsonl")], {
      images: join(dir(), "images"),
    });
    assert.equal(report.leak, true);
    assert.deepEqual(report.sharedGroups, [
      { group: "2", files: [join(dir(), "a.jsonl"), join(dir(), "b.jsonl")] },
    ]);
    assert.equal(report.duplicateImageCount, 0);
  });

  it("reports the same image under different names in two splits by its content hash", async () => {
    await writeLegacyJsonl(join(dir(), "a.jsonl"), [record(1, 1), record(2, 2)]);
    await writeLegacyJsonl(join(dir(), "b.jsonl"), [record(3, 3), record(4, 4)]);
    await images([1, 2, 3, 4], (id) => (id === 4 ? "pixels of 2" : `pixels of ${id}`));
    const report = await checkLeaks([join(dir(), "a.jsonl"), join(dir(), "b.jsonl")], {
      images: join(dir(), "images"),
    });
    assert.equal(report.leak, true);
    assert.equal(report.sharedGroupCount, 0);
    assert.equal(report.duplicateImages.length, 1);
    assert.deepEqual(
      report.duplicateImages[0]?.occurrences.map((o) => o.name),
      ["2.jpg", "4.jpg"],
    );
    assert.match(report.duplicateImages[0]?.sha256 ?? "", /^[0-9a-f]{64}$/);
    const paths = await checkLeaks([join(dir(), "a.jsonl"), join(dir(), "b.jsonl")], {
      images: join(dir(), "images"),
      hashImages: false,
    });
    assert.equal(paths.leak, false, "without hashing, different names are different images");
  });

  it("exits 1 from the CLI when a leak is found and 0 otherwise", async () => {
    await writeLegacyJsonl(join(dir(), "a.jsonl"), [record(1, 1)]);
    await writeLegacyJsonl(join(dir(), "b.jsonl"), [record(1, 2)]);
    await writeLegacyJsonl(join(dir(), "c.jsonl"), [record(5, 5)]);
    const leak = await runCli(["check-leaks", "a.jsonl", "b.jsonl", "--no-hash"], { cwd: dir() });
    assert.equal(leak.code, 1, leak.stderr);
    assert.match(leak.stdout, /1 group\(s\) in more than one split:\n {2}1: a\.jsonl, b\.jsonl/);
    const clean = await runCli(["check-leaks", "a.jsonl", "c.jsonl", "--no-hash"], { cwd: dir() });
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /no leaks/);
    const usage = await runCli(["check-leaks", "a.jsonl"], { cwd: dir() });
    assert.equal(usage.code, 2);
  });
});
