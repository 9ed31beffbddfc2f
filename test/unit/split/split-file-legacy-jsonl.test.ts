import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readLegacyJsonl, splitFile, splitLegacyJsonl, writeLegacyJsonl } from "trainset";
import { useTempDir } from "../../support/tmp.js";
import { readReport, syntheticExams } from "./fixtures.js";

describe("splitFile() on legacy JSONL", () => {
  const dir = useTempDir();
  const records = syntheticExams({
    exams: 200,
    rows: 4000,
    prevalence: [0.03, 0.1, 0.25],
    seed: 5,
  });

  it("writes one JSONL per split holding every record once, with the examination kept whole", async () => {
    const input = join(dir(), "legacy_img_dicts.jsonl");
    await writeLegacyJsonl(input, records);
    const out = join(dir(), "splits");
    const { report, files } = await splitLegacyJsonl(input, { out });
    assert.deepEqual((await readdir(out)).sort(), [
      "split_report.json",
      "test.jsonl",
      "train.jsonl",
      "val.jsonl",
    ]);
    assert.equal(files.length, 4);
    const seen = new Map<string, string>();
    const exams = new Map<string, string>();
    for (const split of ["train", "val", "test"]) {
      const { records: got } = await readLegacyJsonl(join(out, `${split}.jsonl`));
      assert.equal(got.length, report.splits.find((s) => s.name === split)?.samples);
      for (const { record } of got) {
        assert.ok(!seen.has(String(record.old_id)), `old_id ${String(record.old_id)} twice`);
        seen.set(String(record.old_id), split);
        const exam = String(record.old_examination_id);
        assert.equal(exams.get(exam) ?? split, split, `examination ${exam} in two splits`);
        exams.set(exam, split);
      }
    }
    assert.equal(seen.size, records.length);
    const onDisk = await readReport(out);
    assert.equal(onDisk.format, "legacy-jsonl");
    assert.equal(onDisk.groupBy, "old_examination_id");
    assert.deepEqual(onDisk.files, { train: "train.jsonl", val: "val.jsonl", test: "test.jsonl" });
    const common = onDisk.splits.flatMap((s) =>
      s.labels.filter((l) => l.label === "l2").map((l) => l.relativeDeviation ?? 1),
    );
    assert.ok(Math.max(...common) <= 0.05, JSON.stringify(common));
  });

  it("writes byte-identical files for the same input and seed", async () => {
    const input = join(dir(), "legacy.jsonl");
    await writeLegacyJsonl(input, records);
    for (const options of [
      {},
      { folds: 4 },
      { mode: "lx-ai" as const },
      { mode: "random-groups" as const },
    ]) {
      await splitFile(input, { out: join(dir(), "a"), seed: 11, ...options });
      await splitFile(input, { out: join(dir(), "b"), seed: 11, ...options });
      const names = (await readdir(join(dir(), "a"))).sort();
      assert.deepEqual((await readdir(join(dir(), "b"))).sort(), names);
      for (const name of names) {
        assert.ok(
          (await readFile(join(dir(), "a", name))).equals(await readFile(join(dir(), "b", name))),
          `${JSON.stringify(options)}: ${name} differs`,
        );
      }
    }
  });

  it("names the line and the field when a chosen group field is missing", async () => {
    const input = join(dir(), "legacy.jsonl");
    await writeFile(
      input,
      [
        '{"labels":["a"],"old_examination_id":1,"old_id":1,"filename":"1.jpg","site":"x"}',
        '{"labels":["a"],"old_examination_id":2,"old_id":2,"filename":"2.jpg"}',
        "",
      ].join("\n"),
    );
    await assert.rejects(
      splitFile(input, { out: join(dir(), "o"), groupBy: "site" }),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(
          error.message,
          /Cannot split ".*legacy\.jsonl": line 2 has no group field "site"/,
        );
        assert.equal((error as { line?: number }).line, 2);
        assert.equal((error as { field?: string }).field, "site");
        return true;
      },
    );
  });

  it("refuses to stratify a file without a single label, and says what to do", async () => {
    const input = join(dir(), "legacy.jsonl");
    await writeLegacyJsonl(
      input,
      [1, 2, 3, 4].map((i) => ({
        labels: i % 2 === 0 ? null : [],
        old_examination_id: i,
        old_id: i,
        filename: `${i}.jpg`,
      })),
    );
    await assert.rejects(
      splitFile(input, { out: join(dir(), "o") }),
      /no sample has a label in labels.*--split-mode random-groups/,
    );
    const { report } = await splitFile(input, {
      out: join(dir(), "o"),
      mode: "random-groups",
      ratios: "0.5,0.5",
    });
    assert.equal(report.whole.samples, 4);
  });

  it("rejects ratios that do not sum to 1 before reading anything", async () => {
    await assert.rejects(
      splitFile(join(dir(), "missing.jsonl"), { out: dir(), ratios: "train=0.8,val=0.3" }),
      { name: "RangeError", message: /sum to 1\.1, not 1/ },
    );
  });
});
