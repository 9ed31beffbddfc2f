import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadCoco, readCoco, writeCoco, type CocoDataset } from "../../../kernel/src/formats/coco.js";
import { cocoHandler, cocoStats } from "../../../kernel/src/formats/coco-handler.js";
import { indexCoco } from "../../../kernel/src/formats/coco-index.js";
import { parseCocoSections } from "../../../kernel/src/formats/coco-sections.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";
import { IssueCollector } from "../../../kernel/src/util/issues.js";
import { useTempDir } from "../../support/tmp.js";

function coco(): CocoDataset {
  return {
    info: { description: "t", year: 2017 },
    licenses: [],
    images: [
      { id: 1, file_name: "a.jpg", width: 100, height: 80, coco_url: "http://x/a.jpg", camera: { model: "X100" } },
      { id: 2, file_name: "b.jpg", width: 50, height: 50 },
      { id: 3, file_name: "c.jpg", width: 50, height: 50 },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 0, bbox: [1, 2, 3, 4], area: 12, iscrowd: 0, confidence: 0.9, source: "template_matching", verified: false },
      { id: 2, image_id: 2, category_id: 5, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0, confidence: 1, source: "user_click", verified: true },
      { id: 3, image_id: 1, category_id: 5, bbox: [10, 10, 5, 5], area: 25, iscrowd: 0, source: "user_click", verified: true },
    ],
    categories: [
      { id: 0, name: "login_button", supercategory: "gui_element" },
      { id: 5, name: "click_target", supercategory: "gui_element" },
    ],
    trainset_note: "a top-level extra",
  };
}

describe("readCoco() and writeCoco()", () => {
  const tmp = useTempDir();

  it("round-trip a file with its extra fields unchanged", async () => {
    const path = join(tmp(), "out", "dataset.json");
    await writeCoco(path, coco());
    assert.deepEqual(await readCoco(path), coco());
    const text = await readFile(path, "utf8");
    assert.match(text, /^\{\n"info": /);
    assert.equal(text.split("\n").filter((l) => l.startsWith(`{"id":`)).length, 8, "one element per line in the big lists");
  });

  it("refuse to write a dataset with errors and leave nothing behind", async () => {
    const bad = coco();
    (bad.annotations[0] as { image_id: number }).image_id = 42;
    await assert.rejects(writeCoco(join(tmp(), "bad.json"), bad), /points to image_id 42/);
    assert.deepEqual(await readdir(tmp()), []);
  });

  it("throw on the first error when reading strictly, and collect into a given collector", async () => {
    const bad = coco();
    (bad.annotations[2] as { bbox: unknown }).bbox = [90, 70, 20, 20];
    const path = join(tmp(), "bad.json");
    await writeFile(path, JSON.stringify(bad));
    await assert.rejects(readCoco(path), (error: unknown) => error instanceof TrainsetError && error.field === "annotations[2].bbox" && error.file === path);
    const issues = new IssueCollector(path, { mode: "collect" });
    const read = await readCoco(path, { issues });
    assert.equal(read.annotations.length, 3);
    assert.deepEqual(issues.issues.map((i) => i.rule), ["bbox-outside-image"]);
  });

  it("report a missing file as NOT_FOUND", async () => {
    await assert.rejects(readCoco(join(tmp(), "nope.json")), (error: unknown) => error instanceof TrainsetError && error.code === "NOT_FOUND");
  });

  it("parse section by section above the size threshold, with the same result", async () => {
    const path = join(tmp(), "d.json");
    await writeCoco(path, coco());
    assert.deepEqual(await readCoco(path, { splitParseAbove: 10 }), coco());
  });
});

describe("loadCoco()", () => {
  const tmp = useTempDir();

  it("returns the dataset, the same index as indexCoco and the issues in one pass", async () => {
    const path = join(tmp(), "d.json");
    await writeFile(path, JSON.stringify(coco()));
    const { dataset, index, issues } = await loadCoco(path);
    assert.deepEqual(issues, []);
    assert.deepEqual(index, indexCoco(dataset));
    assert.deepEqual(index.annsByImage.get(1)?.map((a) => a.id), [1, 3]);
    assert.equal(index.annsByImage.has(3), false);
    assert.deepEqual(index.annsByCategory.get(5)?.map((a) => a.id), [2, 3]);
    assert.equal(index.imagesById.get(2)?.file_name, "b.jpg");
    assert.equal(index.catsById.get(0)?.name, "login_button");
    assert.strictEqual(index.annsById.get(2), dataset.annotations[1]);
  });

  it("collects issues by default instead of throwing", async () => {
    const bad = coco();
    (bad.annotations[1] as { category_id: number }).category_id = 9;
    const path = join(tmp(), "d.json");
    await writeFile(path, JSON.stringify(bad));
    const { issues, index } = await loadCoco(path);
    assert.deepEqual(issues.map((i) => i.field), ["annotations[1].category_id"]);
    assert.equal(index.annsByCategory.get(5)?.length, 1);
  });
});

describe("parseCocoSections()", () => {
  it("equals JSON.parse on strings with brackets, escapes and unicode", () => {
    const value = {
      info: { description: 'he said "[{}]" \\ ok', emoji: "🚗 ünïcödé", n: -1.5e3, t: true, z: null },
      images: [{ id: 1, file_name: "a ]}.jpg", tags: [[1, [2]], {}] }, { id: 2, file_name: "\u0001\n" }],
      annotations: [],
      categories: [{ id: 0, name: "x" }],
      count: 3,
      flag: false,
      label: "plain",
    };
    const text = JSON.stringify(value, null, 1);
    assert.deepEqual(parseCocoSections(Buffer.from(text)), JSON.parse(text));
    assert.deepEqual(parseCocoSections(Buffer.from("\ufeff" + JSON.stringify(value))), value);
    assert.deepEqual(parseCocoSections(Buffer.from(" { } ")), {});
  });

  it("rejects truncated or trailing data with a located parse error", () => {
    assert.throws(() => parseCocoSections(Buffer.from('{"images": [{"id": 1}, {"id": '), { file: "x.json" }), (e: unknown) => e instanceof TrainsetError && e.code === "PARSE_ERROR" && e.file === "x.json");
    assert.throws(() => parseCocoSections(Buffer.from('{"a": 1} x')), /unexpected data after the end/);
    assert.throws(() => parseCocoSections(Buffer.from('{"a": [1 2]}')), /expected , or \]/);
    assert.throws(() => parseCocoSections(Buffer.from("[1]")), /expected \{/);
  });
});

describe("cocoHandler", () => {
  const tmp = useTempDir();

  it("detects COCO JSON from its head and not other JSON", () => {
    const head = '{"info": {}, "licenses": [], "images": [{"file_name": "a.jpg"';
    assert.equal(cocoHandler.detect("train.json", { isDirectory: false, head, entries: [] }), true);
    assert.equal(cocoHandler.detect("train.json", { isDirectory: false, head: '{"image_id": "x", "annotations": []}', entries: [] }), false);
    assert.equal(cocoHandler.detect("train.csv", { isDirectory: false, head, entries: [] }), false);
  });

  it("counts per category, per source and the verified share", async () => {
    const path = join(tmp(), "d.json");
    await writeFile(path, JSON.stringify(coco()));
    const stats = await cocoHandler.stats(path);
    assert.equal(stats.images, 3);
    assert.equal(stats.records, 3);
    assert.deepEqual(stats.perLabel, { login_button: 1, click_target: 2 });
    assert.deepEqual(stats.sources, { template_matching: 1, user_click: 2 });
    assert.equal(stats.verifiedShare, 2 / 3);
    assert.equal(stats.extra?.categories, 2);
    assert.equal(stats.extra?.["images without annotations"], 1);
    assert.deepEqual(cocoStats(coco(), path), stats);
  });

  it("returns a JSON syntax error as an issue in collect mode", async () => {
    const path = join(tmp(), "d.json");
    await writeFile(path, '{"images": [\n{"id": 1,}]}');
    const issues = await cocoHandler.validate(path);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.rule, "invalid-json");
    assert.equal(issues[0]?.line, 2);
    await assert.rejects(cocoHandler.validate(path, { mode: "strict" }), /not valid JSON/);
  });
});
