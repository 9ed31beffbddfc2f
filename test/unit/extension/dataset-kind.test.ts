import assert from "node:assert/strict";
import { classifyFile, classifyFolder, EXCLUDE_GLOB, isRunMarker } from "../../../extension/src/explorer/dataset-kind.js";

describe("classifyFile()", () => {
  it("recognises a COCO file by its images array and annotation keys", () => {
    assert.equal(classifyFile("coco/dataset.json", '{\n  "images": [{"id": 1, "file_name": "a.png"}], "annotations": []}'), "coco");
  });

  it("does not take any JSON object with images for COCO", () => {
    assert.equal(classifyFile("meta.json", '{"run_id": "r1", "images": 3}'), undefined);
  });

  it("recognises frame tables as CSV and as a JSON array", () => {
    assert.equal(classifyFile("export/annotations.csv", "annotation_id,video_id,frame_relative_path,label_name\n1,2,f.png,x\n"), "frame-table");
    assert.equal(classifyFile("export/annotations.json", '[{"annotation_id": 1, "frame_relative_path": "frames/a.png"}]'), "frame-table");
  });

  it("recognises legacy multilabel JSONL by old_id and filename on the first line", () => {
    assert.equal(classifyFile("legacy/legacy_img_dicts.jsonl", '\ufeff{"old_id": 1, "filename": "a.jpg", "labels": ["polyp"]}\n'), "legacy-jsonl");
  });

  it("recognises preference pairs as CSV and JSONL", () => {
    assert.equal(classifyFile("pairs.csv", "project,chosen_path,neg_paths\n"), "pairs");
    assert.equal(classifyFile("pairs.jsonl", '{"project": "p", "chosen_path": "a.png", "neg_paths": ["b.png"]}\n'), "pairs");
  });

  it("ignores other JSONL, CSV and JSON files", () => {
    assert.equal(classifyFile("runs/r1/history.jsonl", '{"epoch": 1, "val_loss": 0.3}\n'), undefined);
    assert.equal(classifyFile("table.csv", "a,b,c\n"), undefined);
    assert.equal(classifyFile("package.json", '{"name": "x"}'), undefined);
  });
});

describe("classifyFolder()", () => {
  it("takes a folder with manifest.jsonl and images/ or annotations/ for a run-record folder", () => {
    assert.equal(classifyFolder(["manifest.jsonl", "annotations", "metadata.json"], 0), "run-record");
    assert.equal(classifyFolder(["manifest.jsonl"], 0), undefined);
  });

  it("takes a folder holding run folders for a runs folder", () => {
    assert.equal(classifyFolder(["r1", "r2"], 2), "runs-folder");
  });
});

describe("isRunMarker()", () => {
  it("accepts meta.json and history.jsonl only", () => {
    assert.deepEqual(["meta.json", "history.jsonl", "dataset.json"].map(isRunMarker), [true, true, false]);
  });
});

describe("EXCLUDE_GLOB", () => {
  it("skips media and dependency folders", () => {
    assert.match(EXCLUDE_GLOB, /node_modules/);
    assert.match(EXCLUDE_GLOB, /images/);
  });
});
