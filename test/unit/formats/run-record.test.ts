import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  formatRunRecordManifestLine,
  parseRunRecordAnnotationFile,
  parseRunRecordManifestLine,
  parseRunRecordMetadata,
  readRunRecordAnnotationFile,
  readRunRecordMetadata,
  writeRunRecordAnnotationFile,
  writeRunRecordMetadata,
  type RunRecordAnnotationFile,
  type RunRecordMetadata,
} from "../../../kernel/src/formats/run-record.js";
import { pngSize } from "../../../kernel/src/formats/run-record-image-size.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";
import { IssueCollector } from "../../../kernel/src/util/issues.js";
import { useTempDir } from "../../support/tmp.js";
import { makePng } from "./run-record-fixture.js";

const ID = "3f1c9a0b7d2e4c51";

function annotationFile(): RunRecordAnnotationFile {
  return {
    image_id: ID,
    image_filename: `${ID}.png`,
    image_width: 1920,
    image_height: 1080,
    annotations: [
      { bbox: [100, 50, 200, 100], category_id: 0, category_name: "login_button", confidence: 0.95, source: "template_matching", verified: false },
      { bbox: [350, 250, 50, 50], category_id: 1, category_name: "click_target", confidence: 1, source: "user_click", verified: true, note: "extra" },
    ],
    context: { action_type: "CLICK", active_states: ["Login"], timestamp: 1700000000, success: true },
    version: "1.0.0",
  };
}

function metadata(): RunRecordMetadata {
  return {
    dataset_version: "1.0.0",
    created: "2025-11-24T12:00:00",
    total_images: 150,
    total_annotations: 287,
    category_map: { login_button: 0, submit_button: 1, menu_icon: 2 },
    categories: [
      { id: 0, name: "login_button" },
      { id: 1, name: "submit_button" },
      { id: 2, name: "menu_icon" },
    ],
    statistics: { total_records_processed: 200, records_with_screenshots: 150, records_with_matches: 120, records_with_clicks: 80, skipped_records: 50, export_time_seconds: 5.3 },
    format: "intermediate",
    description: "Training dataset exported from qontinui-runner execution data",
  };
}

describe("parseRunRecordManifestLine()", () => {
  const line = `{"id": "${ID}", "image": "images/${ID}.png", "annotations": "annotations/${ID}.json", "action_id": "click-button-123", "action_type": "CLICK", "timestamp": 1700000000.0, "active_states": ["Login", "MainMenu"], "source": "runner_execution", "is_new": true, "reviewed": false, "operator": "ana"}`;

  it("parses qontinui's line and keeps unknown keys", () => {
    const entry = parseRunRecordManifestLine(line);
    assert.equal(entry.id, ID);
    assert.equal(entry.timestamp, 1700000000);
    assert.deepEqual(entry.active_states, ["Login", "MainMenu"]);
    assert.equal(entry.operator, "ana");
    assert.deepEqual(JSON.parse(formatRunRecordManifestLine(entry)), JSON.parse(line));
    assert.ok(formatRunRecordManifestLine(entry).endsWith("}\n"));
  });

  it("throws a located error for a line without an id", () => {
    assert.throws(
      () => parseRunRecordManifestLine(`{"image": "images/x.png", "annotations": "annotations/x.json"}`, { file: "manifest.jsonl", line: 9 }),
      (error: unknown) => error instanceof TrainsetError && error.file === "manifest.jsonl" && error.line === 9 && error.field === "id",
    );
  });

  it("reports a line that is not JSON as a parse error with its line number", () => {
    assert.throws(() => parseRunRecordManifestLine("{oops", { file: "manifest.jsonl", line: 4 }), (error: unknown) => error instanceof TrainsetError && error.code === "PARSE_ERROR" && error.line === 4);
  });

  it("collects warnings for missing optional fields and null action ids", () => {
    const issues = new IssueCollector("manifest.jsonl", { mode: "collect" });
    const entry = parseRunRecordManifestLine(`{"id": "${ID}", "image": "images/${ID}.png", "annotations": "annotations/${ID}.json", "action_id": null}`, { issues, line: 2 });
    assert.equal(entry.action_id, null);
    assert.deepEqual(
      issues.issues.map((i) => [i.severity, i.field]),
      ["action_type", "timestamp", "active_states", "source", "is_new", "reviewed"].map((f) => ["warning", f]),
    );
  });
});

describe("parseRunRecordAnnotationFile()", () => {
  it("parses the seed's annotation file", () => {
    const parsed = parseRunRecordAnnotationFile(JSON.stringify(annotationFile()), { expectedId: ID, categoryMap: { login_button: 0, click_target: 1 } });
    assert.deepEqual(parsed, annotationFile());
  });

  it("names the field of a broken box", () => {
    const file = annotationFile();
    (file.annotations[1] as { bbox: unknown }).bbox = [1, 2, 3];
    assert.throws(() => parseRunRecordAnnotationFile(JSON.stringify(file), { file: "a.json" }), (error: unknown) => error instanceof TrainsetError && error.field === "annotations[1].bbox" && /a bbox is four finite numbers/.test(error.message));
  });

  it("warns about a confidence outside 0..1 without failing", () => {
    const file = annotationFile();
    (file.annotations[0] as { confidence: number }).confidence = 95;
    const issues = new IssueCollector("a.json", { mode: "collect" });
    parseRunRecordAnnotationFile(JSON.stringify(file), { issues });
    assert.deepEqual(issues.issues.map((i) => [i.severity, i.rule, i.field]), [["warning", "confidence-range", "annotations[0].confidence"]]);
  });
});

describe("parseRunRecordMetadata()", () => {
  it("parses the seed's metadata.json", () => {
    assert.deepEqual(parseRunRecordMetadata(JSON.stringify(metadata())), metadata());
  });

  it("rejects categories that disagree with category_map", () => {
    const meta = metadata();
    meta.categories[1] = { id: 5, name: "submit_button" };
    assert.throws(() => parseRunRecordMetadata(JSON.stringify(meta)), /categories\[1\] gives "submit_button" id 5, but category_map says 1/);
  });

  it("rejects two names with the same id", () => {
    const meta = metadata();
    meta.category_map.menu_icon = 0;
    const issues = new IssueCollector(undefined, { mode: "collect" });
    parseRunRecordMetadata(JSON.stringify(meta), { issues });
    assert.ok(issues.issues.some((i) => i.rule === "duplicate-category-id" && /id 0 to both "login_button" and "menu_icon"/.test(i.message)));
  });
});

describe("writeRunRecordAnnotationFile() and writeRunRecordMetadata()", () => {
  const tmp = useTempDir();

  it("write 2-space JSON atomically that reads back equal", async () => {
    const annPath = join(tmp(), "annotations", `${ID}.json`);
    await writeRunRecordAnnotationFile(annPath, annotationFile());
    assert.deepEqual(await readRunRecordAnnotationFile(annPath), annotationFile());
    assert.match(await readFile(annPath, "utf8"), /^\{\n {2}"image_id"/);
    const metaPath = join(tmp(), "metadata.json");
    await writeRunRecordMetadata(metaPath, metadata());
    assert.deepEqual(await readRunRecordMetadata(metaPath), metadata());
  });

  it("refuse an invalid value and leave no file behind", async () => {
    const file = annotationFile();
    file.image_width = 0;
    const path = join(tmp(), "annotations", `${ID}.json`);
    await assert.rejects(writeRunRecordAnnotationFile(path, file), /image_width is 0/);
    await assert.rejects(readdir(join(tmp(), "annotations")), /ENOENT/);
  });
});

describe("pngSize()", () => {
  it("reads width and height from a PNG header and ignores other bytes", async () => {
    assert.deepEqual(pngSize(await makePng(37, 21, [0, 0, 0])), { width: 37, height: 21 });
    assert.equal(pngSize(Buffer.from("GIF89a-not-a-png-header-at-all")), undefined);
  });
});
