import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  FRAME_TABLE_FIELDS,
  TrainsetError,
  frameTableHandler,
  parseFrameTableCsv,
  parseFrameTableJson,
  readFrameTable,
  sortFrameTableRows,
  writeFrameTable,
  type FrameAnnotationRow,
} from "trainset";
import { useTempDir } from "../../support/tmp.js";

function row(overrides: Partial<FrameAnnotationRow> = {}): FrameAnnotationRow {
  return {
    annotation_id: 1,
    video_id: 7,
    video_hash: "abc123",
    frame_id: 100,
    frame_number: 42,
    frame_relative_path: "frame_100.jpg",
    frame_timestamp: 1.4,
    label_id: 3,
    label_name: "polyp",
    value: true,
    float_value: null,
    annotator: null,
    information_source_id: 1,
    information_source_name: "manual_annotation",
    model_meta_id: null,
    date_created: "2025-11-24T12:00:00+00:00",
    date_modified: "2025-11-24T12:00:00.123456+00:00",
    ...overrides,
  };
}

const HEADER = FRAME_TABLE_FIELDS.join(",") + "\r\n";

describe("writeFrameTable() / readFrameTable()", () => {
  const dir = useTempDir();

  it("writes the 17 columns in endoreg-db's order with Python csv encoding", async () => {
    const path = join(dir(), "annotations.csv");
    await writeFrameTable(path, [row(), row({ annotation_id: 2, value: false, float_value: 1, annotator: 'dr "x", y', frame_timestamp: null })]);
    const text = await readFile(path, "utf8");
    assert.equal(
      text,
      HEADER +
        "1,7,abc123,100,42,frame_100.jpg,1.4,3,polyp,True,,,1,manual_annotation,,2025-11-24T12:00:00+00:00,2025-11-24T12:00:00.123456+00:00\r\n" +
        '2,7,abc123,100,42,frame_100.jpg,,3,polyp,False,1.0,"dr ""x"", y",1,manual_annotation,,2025-11-24T12:00:00+00:00,2025-11-24T12:00:00.123456+00:00\r\n',
    );
  });

  it("round-trips rows through CSV and JSON unchanged", async () => {
    const rows = [row(), row({ annotation_id: 2, label_id: 4, label_name: "blood", value: false, float_value: 0.25, model_meta_id: 9, annotator: "anna" })];
    for (const name of ["t.csv", "t.json"]) {
      const path = join(dir(), name);
      await writeFrameTable(path, rows);
      const table = await readFrameTable(path);
      assert.deepEqual(table.rows, rows);
      assert.deepEqual(table.issues, []);
      assert.equal(table.format, name.endsWith(".json") ? "json" : "csv");
    }
  });

  it("writes JSON as a list of objects with the fields in order", async () => {
    const path = join(dir(), "t.json");
    await writeFrameTable(path, [row()]);
    const parsed = JSON.parse(await readFile(path, "utf8")) as Array<Record<string, unknown>>;
    assert.deepEqual(Object.keys(parsed[0] ?? {}), [...FRAME_TABLE_FIELDS]);
  });
});

describe("parseFrameTableCsv()", () => {
  it("names the line and field of a bad cell", () => {
    const text = HEADER + "1,7,abc,100,42,f.jpg,,3,polyp,maybe,,,1,manual,,2025-01-01,2025-01-01\r\n";
    const { issues, rows } = parseFrameTableCsv(text, { file: "a.csv" });
    assert.equal(rows.length, 0);
    assert.deepEqual(issues.map((i) => [i.file, i.line, i.field, i.message]), [["a.csv", 2, "value", 'value must be True or False, got "maybe"']]);
  });

  it("throws the first error in strict mode", () => {
    const text = HEADER + "x,7,abc,100,42,f.jpg,,3,polyp,True,,,1,manual,,2025-01-01,2025-01-01\r\n";
    assert.throws(() => parseFrameTableCsv(text, { file: "a.csv", mode: "strict" }), (e: unknown) => e instanceof TrainsetError && e.line === 2 && e.field === "annotation_id" && /^Cannot read "a\.csv": line 2: annotation_id must be a whole number, got "x"/.test(e.message));
  });

  it("refuses a header that lacks columns and names them", () => {
    const { issues } = parseFrameTableCsv("annotation_id,video_id\r\n1,2\r\n");
    assert.equal(issues[0]?.rule, "missing-columns");
    assert.match(issues[0]?.message ?? "", /lacks video_hash, frame_id/);
  });

  it("reads columns by name when they are reordered, with a warning", () => {
    const fields = [...FRAME_TABLE_FIELDS].reverse();
    const values: Record<string, string> = { annotation_id: "5", video_id: "1", video_hash: "h", frame_id: "9", frame_number: "0", frame_relative_path: "video_1/frame_0000000.jpg", frame_timestamp: "", label_id: "2", label_name: "blood", value: "False", float_value: "", annotator: "", information_source_id: "1", information_source_name: "manual_annotation", model_meta_id: "", date_created: "2025-01-01T00:00:00", date_modified: "2025-01-01T00:00:00" };
    const text = fields.join(",") + "\r\n" + fields.map((f) => values[f]).join(",") + "\r\n";
    const { rows, issues } = parseFrameTableCsv(text);
    assert.equal(rows[0]?.annotation_id, 5);
    assert.equal(rows[0]?.value, false);
    assert.deepEqual(issues.map((i) => i.rule), ["column-order"]);
  });

  it("flags unsafe paths, duplicate ids, rows without an information source and duplicate frame labels", () => {
    const lines = [
      "1,7,h,100,1,../escape.jpg,,3,polyp,True,,,1,manual,,2025-01-01,2025-01-01",
      "1,7,h,101,2,/abs.jpg,,3,polyp,True,,,,,,2025-01-01,2025-01-01",
      "2,7,h,100,1,ok.jpg,,3,polyp,True,,,1,manual,,2025-01-01,2025-01-01",
    ];
    const { issues } = parseFrameTableCsv(HEADER + lines.join("\r\n") + "\r\n");
    assert.deepEqual(
      issues.map((i) => [i.rule, i.line]),
      [
        ["unsafe-path", 2],
        ["duplicate-annotation-id", 3],
        ["unsafe-path", 3],
        ["missing-information-source", 3],
        ["duplicate-frame-label", 4],
      ],
    );
  });
});

describe("parseFrameTableJson()", () => {
  it("locates problems by row index and field", () => {
    const bad = { ...row(), frame_number: "7" };
    const { issues } = parseFrameTableJson(JSON.stringify([row(), bad, 5]));
    assert.deepEqual(issues.map((i) => [i.field, i.message]), [
      ["[1].frame_number", 'frame_number must be a whole number, got "7"'],
      ["[2]", "row 2 is 5, not an object"],
    ]);
  });

  it("throws a PARSE_ERROR for text that is not JSON", () => {
    assert.throws(() => parseFrameTableJson("[{", { file: "t.json" }), /Cannot read frame table "t\.json": not valid JSON/);
  });
});

describe("sortFrameTableRows()", () => {
  it("orders by video, frame number, label id and annotation id like endoreg-db", () => {
    const rows = [row({ annotation_id: 4, video_id: 2 }), row({ annotation_id: 3, frame_number: 1 }), row({ annotation_id: 2, label_id: 1 }), row({ annotation_id: 1, label_id: 1 })];
    assert.deepEqual(sortFrameTableRows(rows).map((r) => r.annotation_id), [4, 3, 1, 2]);
  });
});

describe("frameTableHandler", () => {
  const dir = useTempDir();
  it("detects CSV and JSON tables and counts frames, videos, positives and sources", async () => {
    const path = join(dir(), "a.csv");
    await writeFrameTable(path, [row(), row({ annotation_id: 2, frame_id: 101, label_name: "blood", label_id: 4, value: false }), row({ annotation_id: 3, video_id: 8, frame_id: 200 })]);
    const head = await readFile(path, "utf8");
    assert.equal(frameTableHandler.detect(path, { isDirectory: false, head, entries: [] }), true);
    assert.equal(frameTableHandler.detect("x.csv", { isDirectory: false, head: "a,b\n", entries: [] }), false);
    const stats = await frameTableHandler.stats(path);
    assert.equal(stats.images, 3);
    assert.equal(stats.groups, 2);
    assert.deepEqual(stats.perLabel, { polyp: 2, blood: 0 });
    assert.deepEqual(stats.sources, { manual_annotation: 3 });
  });
});
