import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  detectPairsFileFormat,
  parsePairsCsv,
  parsePairsJsonl,
  readPairs,
  validatePairs,
  writePairsCsv,
  writePairsJsonl,
  type PairsRecord,
} from "../../../kernel/src/formats/pairs.js";
import { pairsHandler } from "../../../kernel/src/formats/pairs-handler.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";
import { useTempDir } from "../../support/tmp.js";

/** Seed 003, Format 2, verbatim. */
const SEED_RECORD = {
  project: "mojo-1",
  timestamp: "20250708_060711",
  chosen_path: "/path/to/stage2.png",
  chosen_stage: 2.0,
  neg_paths: ["/path/to/stage1.png", "/path/to/stage3.png"],
  neg_stages: [1.0, 3.0],
  was_cropped: true,
  metadata: { raw_dir: "archives/mojo1_raw", final_dir: "archives/mojo1_final", extraction_date: "2025-10-20" },
};
/** Seed 003, Format 1, verbatim. */
const SEED_CSV =
  "project,timestamp,chosen_path,chosen_stage,neg_paths,neg_stages,was_cropped\n" +
  `mojo-1,20250708_060711,/path/to/stage2.png,2.0,"['/path/to/stage1.png','/path/to/stage3.png']","[1.0,3.0]",true\n`;

const line = (value: unknown): string => JSON.stringify(value) + "\n";

describe("parsePairsJsonl()", () => {
  it("reads the seed's Format 2 record", () => {
    const { records, issues } = parsePairsJsonl(line(SEED_RECORD));
    assert.deepEqual(issues, []);
    assert.deepEqual(records, [SEED_RECORD]);
  });

  it("reads what the seed's script writes (no was_cropped, no metadata) as not cropped", () => {
    const { project, timestamp, chosen_path, chosen_stage, neg_paths, neg_stages } = SEED_RECORD;
    const { records } = parsePairsJsonl(line({ project, timestamp, chosen_path, chosen_stage, neg_paths, neg_stages }));
    assert.equal(records[0]?.was_cropped, false);
    assert.equal(records[0]?.metadata, undefined);
  });

  it("accepts a rejected group with a null chosen image", () => {
    const { records } = parsePairsJsonl(line({ ...SEED_RECORD, chosen_path: null, chosen_stage: null, rejected: true }));
    assert.equal(records[0]?.rejected, true);
  });

  it("collects every problem with its line and field in collect mode", () => {
    const text = [
      line(SEED_RECORD),
      line({ ...SEED_RECORD, project: undefined }),
      line({ ...SEED_RECORD, neg_stages: [1] }),
      line({ ...SEED_RECORD, neg_paths: ["/path/to/stage2.png", "/x.png"] }),
      line({ ...SEED_RECORD, chosen_path: null }),
      line({ ...SEED_RECORD, rejected: true }),
      line({ ...SEED_RECORD, was_cropped: "yes", chosen_size: [0, 3] }),
      "[1,2]\n",
      "{broken\n",
    ].join("");
    const { records, issues } = parsePairsJsonl(text, { mode: "collect", file: "h.jsonl" });
    assert.equal(records.length, 1);
    assert.deepEqual(
      issues.map((i) => [i.line, i.rule, i.field]),
      [
        [2, "missing-field", "project"],
        [3, "length-mismatch", "neg_stages"],
        [4, "chosen-in-negatives", "neg_paths"],
        [5, "inconsistent-rejected", "chosen_stage"],
        [6, "inconsistent-rejected", "chosen_path"],
        [7, "wrong-type", "was_cropped"],
        [7, "wrong-type", "chosen_size"],
        [8, "not-an-object", undefined],
        [9, "invalid-json", undefined],
      ],
    );
    assert.ok(issues.every((i) => i.file === "h.jsonl"));
  });

  it("throws a VALIDATION_ERROR naming file and line in strict mode", () => {
    assert.throws(
      () => parsePairsJsonl(line(SEED_RECORD) + line({ ...SEED_RECORD, neg_stages: "1,3" }), { file: "h.jsonl" }),
      (e: unknown) => e instanceof TrainsetError && e.code === "VALIDATION_ERROR" && e.line === 2 && e.field === "neg_stages" && /^Cannot read "h\.jsonl": line 2:/.test(e.message),
    );
  });

  it("warns about duplicates, odd timestamps and records that teach nothing", () => {
    const text = line(SEED_RECORD) + line(SEED_RECORD) + line({ ...SEED_RECORD, timestamp: "2025-07-08", neg_paths: [], neg_stages: [] });
    const { records, issues } = parsePairsJsonl(text);
    assert.equal(records.length, 3);
    assert.deepEqual(issues.map((i) => [i.severity, i.rule, i.line]), [
      ["warning", "duplicate-record", 2],
      ["warning", "odd-timestamp", 3],
      ["warning", "no-alternatives", 3],
    ]);
  });
});

describe("parsePairsCsv()", () => {
  it("reads the seed's Format 1 with Python-repr list cells", () => {
    const { records, format } = parsePairsCsv(SEED_CSV);
    assert.equal(format, "csv");
    const expected: Partial<typeof SEED_RECORD> = { ...SEED_RECORD };
    delete expected.metadata;
    assert.deepEqual(records, [expected]);
  });

  it("reads Python's own str(list) spacing, True/False and empty cells of rejected groups", () => {
    const csv = "project,timestamp,chosen_path,chosen_stage,neg_paths,neg_stages,was_cropped,rejected\r\n" + `p,20250708_060711,,,"['a.png', 'b.png']","[1.0, 2.0]",False,True\r\n`;
    const { records } = parsePairsCsv(csv);
    assert.deepEqual([records[0]?.chosen_path, records[0]?.chosen_stage, records[0]?.neg_paths, records[0]?.rejected], [null, null, ["a.png", "b.png"], true]);
  });

  it("reports a broken list cell with its line and column name", () => {
    const csv = SEED_CSV + `mojo-1,20250708_070000,/s2.png,2.0,"['/s1.png'","[1.0]",false\n`;
    const { records, issues } = parsePairsCsv(csv, { mode: "collect" });
    assert.equal(records.length, 1);
    assert.deepEqual(issues.map((i) => [i.line, i.rule, i.field]), [[3, "bad-list", "neg_paths"]]);
    assert.match(issues[0]?.message ?? "", /expected , or \] at character 11/);
  });

  it("refuses a header without the seed's columns", () => {
    assert.throws(() => parsePairsCsv("project,chosen_path\r\nx,y\r\n", { file: "a.csv" }), /the header lacks timestamp, chosen_stage, neg_paths, neg_stages/);
  });
});

describe("writePairsJsonl() and writePairsCsv()", () => {
  const tmp = useTempDir();
  const records: PairsRecord[] = [
    { ...SEED_RECORD, neg_paths: ["it's/a.png", 'say "b".png'], group_dir: "", final_path: "sel/x.png", crop_by_mtime: true, crop_by_size: false, anomaly: true, multi_select: false, rejected: false },
    { project: "mojo-1", timestamp: "20250708_070000", chosen_path: null, chosen_stage: null, neg_paths: ["c,1.png", "d.png"], neg_stages: [1.5, 2], was_cropped: false, rejected: true },
  ];

  it("round-trips records through JSONL", async () => {
    const path = join(tmp(), "h.jsonl");
    await writePairsJsonl(path, records);
    assert.deepEqual((await readPairs(path)).records, records);
  });

  it("writes a CSV that Python's csv module and ast.literal_eval read back", async () => {
    const path = join(tmp(), "h.csv");
    await writePairsCsv(path, records);
    const text = await readFile(path, "utf8");
    assert.ok(text.startsWith("project,timestamp,chosen_path,chosen_stage,neg_paths,neg_stages,was_cropped,"));
    assert.ok(text.includes(`2.0,"[""it's/a.png"",'say ""b"".png']","[1.0,3.0]",true,`));
    const python = [
      "import ast, csv, json, sys",
      "rows = list(csv.DictReader(open(sys.argv[1], newline='')))",
      "print(json.dumps([[ast.literal_eval(r['neg_paths']), ast.literal_eval(r['neg_stages']), r['chosen_stage'], r['was_cropped']] for r in rows]))",
    ].join("\n");
    const out = JSON.parse(execFileSync("/usr/bin/python3", ["-c", python, path], { encoding: "utf8" })) as unknown;
    assert.deepEqual(out, [
      [["it's/a.png", 'say "b".png'], [1, 3], "2.0", "true"],
      [["c,1.png", "d.png"], [1.5, 2], "", "false"],
    ]);
    const back = (await readPairs(path)).records;
    assert.deepEqual(back.map((r) => [r.chosen_path, r.neg_paths, r.neg_stages, r.crop_by_mtime, r.rejected]), [
      ["/path/to/stage2.png", ["it's/a.png", 'say "b".png'], [1, 3], true, false],
      [null, ["c,1.png", "d.png"], [1.5, 2], null, true],
    ]);
  });
});

describe("readPairs() and validatePairs()", () => {
  const tmp = useTempDir();

  it("picks CSV or JSONL by extension, else by content", () => {
    assert.equal(detectPairsFileFormat("a.csv", "{"), "csv");
    assert.equal(detectPairsFileFormat("a.jsonl", "project,"), "jsonl");
    assert.equal(detectPairsFileFormat("a.txt", '{"project":1}'), "jsonl");
    assert.equal(detectPairsFileFormat("a.txt", "project,timestamp"), "csv");
  });

  it("throws NOT_FOUND for a missing file and returns every issue from validate", async () => {
    await assert.rejects(readPairs(join(tmp(), "none.jsonl")), (e: unknown) => e instanceof TrainsetError && e.code === "NOT_FOUND");
    const path = join(tmp(), "bad.jsonl");
    await writeFile(path, line(SEED_RECORD) + line({ ...SEED_RECORD, neg_stages: [1] }) + line({ ...SEED_RECORD, chosen_stage: "2" }));
    assert.deepEqual((await validatePairs(path)).map((i) => [i.line, i.rule]), [[2, "length-mismatch"], [3, "wrong-type"]]);
  });
});

describe("pairsHandler", () => {
  const tmp = useTempDir();

  it("detects pairs files by their first record or header, not other JSONL or CSV", () => {
    const evidence = (head: string): { isDirectory: boolean; head: string; entries: string[] } => ({ isDirectory: false, head, entries: [] });
    assert.equal(pairsHandler.detect("h.jsonl", evidence(line(SEED_RECORD))), true);
    assert.equal(pairsHandler.detect("h.csv", evidence(SEED_CSV)), true);
    assert.equal(pairsHandler.detect("m.jsonl", evidence('{"old_id":1,"filename":"a"}\n')), false);
    assert.equal(pairsHandler.detect("t.csv", evidence("annotation_id,frame_id\n")), false);
    assert.equal(pairsHandler.detect("d", { isDirectory: true, head: "", entries: ["h.jsonl"] }), false);
  });

  it("counts decisions, images, groups and pairs", async () => {
    const path = join(tmp(), "h.jsonl");
    await writeFile(path, line(SEED_RECORD) + line({ ...SEED_RECORD, timestamp: "20250708_070000", chosen_path: null, chosen_stage: null, rejected: true }));
    const stats = await pairsHandler.stats(path);
    assert.deepEqual(
      [stats.records, stats.images, stats.groups, stats.perLabel, stats.extra?.["preference pairs"], stats.extra?.rejected, stats.extra?.anomalies, stats.extra?.cropped],
      [2, 3, 2, { "stage 2": 1 }, 2, 1, 1, 1],
    );
    assert.deepEqual(await pairsHandler.validate(path), []);
  });
});
