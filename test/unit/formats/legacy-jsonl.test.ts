import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  TrainsetError,
  appendLegacyJsonl,
  legacyGroupOf,
  legacyJsonlHandler,
  parseLegacyJsonl,
  readLegacyJsonl,
  writeLegacyJsonl,
  type LegacyRecord,
} from "trainset";
import { useTempDir } from "../../support/tmp.js";

const line = (record: Record<string, unknown>): string => JSON.stringify(record);
const good = { labels: ["polyp", "blood"], old_examination_id: 25, old_id: 479228, filename: "479228.jpg" };

describe("parseLegacyJsonl()", () => {
  it("reads lx-ai's example line with its fields typed", () => {
    const { records, issues } = parseLegacyJsonl(line(good) + "\n");
    assert.deepEqual(records, [{ record: good, line: 1 }]);
    assert.deepEqual(issues, []);
  });

  it("keeps labels: null as unknown and unknown keys as they are", () => {
    const { records } = parseLegacyJsonl(line({ ...good, labels: null, source: "legacy-db" }) + "\n");
    assert.equal(records[0]?.record.labels, null);
    assert.equal(records[0]?.record["source"], "legacy-db");
  });

  it("reports each bad field with its line", () => {
    const text = [line(good), line({ ...good, old_id: 2, labels: "polyp" }), line({ ...good, old_id: 3, filename: "../x.jpg" }), line({ ...good, old_id: 4, filename: "" })].join("\n");
    const { records, issues } = parseLegacyJsonl(text, { file: "l.jsonl" });
    assert.equal(records.length, 1);
    assert.deepEqual(issues.map((i) => [i.line, i.field, i.rule]), [
      [2, "labels", "bad-labels"],
      [3, "filename", "unsafe-path"],
      [4, "filename", "bad-filename"],
    ]);
  });

  it("warns on a repeated old_id, and says when its labels differ", () => {
    const text = [line(good), line(good), line({ ...good, labels: ["outside"] })].join("\n");
    const { records, issues } = parseLegacyJsonl(text);
    assert.equal(records.length, 3);
    assert.deepEqual(issues.map((i) => [i.line, i.severity, i.message]), [
      [2, "warning", "old_id 479228 repeats line 1 with the same labels"],
      [3, "warning", "old_id 479228 appears on line 1 with different labels"],
    ]);
  });

  it("warns when the examination is missing and groups such images alone", () => {
    const { records, issues } = parseLegacyJsonl(line({ ...good, old_examination_id: null }));
    assert.equal(issues[0]?.rule, "no-examination");
    assert.equal(legacyGroupOf(records[0]?.record as LegacyRecord), "no_exam_479228");
    assert.equal(legacyGroupOf(good), "25");
  });
});

describe("readLegacyJsonl()", () => {
  const dir = useTempDir();

  it("throws at the first error by default, naming file and line", async () => {
    const path = join(dir(), "l.jsonl");
    await writeFile(path, line(good) + "\n{broken\n");
    await assert.rejects(readLegacyJsonl(path), (e: unknown) => e instanceof TrainsetError && e.line === 2 && e.file === path);
  });

  it("writes, appends and reads back the same records", async () => {
    const path = join(dir(), "l.jsonl");
    const records: LegacyRecord[] = [good, { ...good, old_id: 2, labels: null, filename: "2.jpg" }];
    await writeLegacyJsonl(path, records);
    await appendLegacyJsonl(path, [{ ...good, old_id: 3, filename: "3.jpg" }]);
    const read = await readLegacyJsonl(path);
    assert.deepEqual(read.records.map((r) => r.record.old_id), [479228, 2, 3]);
    assert.ok((await readFile(path, "utf8")).startsWith('{"labels":["polyp","blood"],"old_examination_id":25,"old_id":479228,"filename":"479228.jpg"}\n'));
  });

  it("is detected and described by its handler", async () => {
    const path = join(dir(), "l.jsonl");
    await writeLegacyJsonl(path, [good, { ...good, old_id: 2, old_examination_id: 26, labels: ["snare"] }, { ...good, old_id: 3, labels: null }]);
    assert.equal(legacyJsonlHandler.detect(path, { isDirectory: false, head: await readFile(path, "utf8"), entries: [] }), true);
    const stats = await legacyJsonlHandler.stats(path);
    assert.equal(stats.images, 3);
    assert.equal(stats.groups, 2);
    assert.deepEqual(stats.perLabel, { polyp: 1, blood: 1, snare: 1 });
    assert.equal(stats.extra?.["unlabelled (labels: null)"], 1);
    assert.equal(stats.extra?.["label names outside lx-ai's 9"], 1);
  });
});
