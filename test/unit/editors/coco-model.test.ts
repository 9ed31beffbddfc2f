import assert from "node:assert/strict";
import { makeEdit } from "../../../extension/src/editors/coco/coco-edits.js";
import { CocoModel } from "../../../extension/src/editors/coco/coco-model.js";
import { ALL, queryCoco } from "../../../extension/src/editors/coco/coco-query.js";

function sample(): string {
  return JSON.stringify(
    {
      info: { description: "kept", custom: [1, 2] },
      images: [
        { id: 1, file_name: "a.jpg", width: 100, height: 80, license: 3 },
        { id: 2, file_name: "b.jpg", width: 100, height: 80 },
      ],
      annotations: [
        { id: 10, image_id: 1, category_id: 1, bbox: [1, 2, 3, 4], area: 12, iscrowd: 0, source: "template_matching", score: 0.9, extra: { keep: true } },
        { id: 11, image_id: 1, category_id: 2, bbox: [5, 5, 10, 10], source: "user_click" },
        { id: 12, image_id: 2, category_id: 1, bbox: [0, 0, 2, 2], score: 0.2, zzz: "last" },
      ],
      categories: [
        { id: 1, name: "cat", supercategory: "animal" },
        { id: 2, name: "dog" },
      ],
      vendor_field: "x",
    },
    null,
    2,
  );
}

describe("CocoModel", () => {
  it("moves a box, undoes and redoes the move", () => {
    const model = CocoModel.parse(sample());
    const edit = makeEdit(model, { op: "setBox", annId: 10, bbox: [7, 8, 9, 10] });
    assert.ok(edit);
    model.apply(edit);
    assert.deepEqual(model.annotation(10)?.bbox, [7, 8, 9, 10]);
    assert.equal(model.annotation(10)?.["area"], 90);
    model.revert(edit);
    assert.deepEqual(model.annotation(10)?.bbox, [1, 2, 3, 4]);
    model.apply(edit);
    assert.deepEqual(model.annotation(10)?.bbox, [7, 8, 9, 10]);
  });

  it("restores a deleted annotation at its place in the file on undo", () => {
    const model = CocoModel.parse(sample());
    const edit = makeEdit(model, { op: "delete", annIds: [10, 12] });
    assert.ok(edit);
    model.apply(edit);
    assert.deepEqual(model.annotationList.map((a) => a.id), [11]);
    model.revert(edit);
    assert.deepEqual(model.annotationList.map((a) => a.id), [10, 11, 12]);
  });

  it("verifies with verified: true and rejects with a rejected flag or by removing", () => {
    const model = CocoModel.parse(sample());
    const verify = makeEdit(model, { op: "verify", annIds: [10] });
    assert.ok(verify);
    model.apply(verify);
    assert.equal(model.annotation(10)?.verified, true);
    const reject = makeEdit(model, { op: "reject", annIds: [10, 11] });
    assert.ok(reject);
    model.apply(reject);
    assert.equal(model.annotation(10)?.rejected, true);
    assert.equal(model.annotation(10)?.verified, undefined);
    model.revert(reject);
    assert.equal(model.annotation(10)?.verified, true);
    assert.equal(model.annotation(11)?.rejected, undefined);
    const remove = makeEdit(model, { op: "reject", annIds: [11] }, { rejectMode: "remove" });
    assert.ok(remove);
    model.apply(remove);
    assert.equal(model.annotation(11), undefined);
  });

  it("adds a box with a fresh id and changes a category", () => {
    const model = CocoModel.parse(sample());
    const add = makeEdit(model, { op: "add", imageId: 2, categoryId: 2, bbox: [1, 1, 5, 5] });
    assert.ok(add);
    model.apply(add);
    const added = model.annotationsOf(2).at(-1);
    assert.equal(added?.id, 13);
    assert.equal(added?.source, "user_click");
    const cat = makeEdit(model, { op: "setCategory", annId: 13, categoryId: 1 });
    assert.ok(cat);
    model.apply(cat);
    assert.equal(model.annotation(13)?.category_id, 1);
    model.revert(cat);
    model.revert(add);
    assert.equal(model.annotation(13), undefined);
  });

  it("saves with unknown fields, annotation order and indentation kept", () => {
    const text = sample();
    const model = CocoModel.parse(text);
    assert.equal(model.serialize(), text + "\n");
    const edit = makeEdit(model, { op: "verify", annIds: [12] });
    assert.ok(edit);
    model.apply(edit);
    const saved = JSON.parse(model.serialize()) as Record<string, unknown>;
    const original = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(saved), Object.keys(original));
    assert.equal(saved["vendor_field"], "x");
    assert.deepEqual(saved["info"], original["info"]);
    const anns = saved["annotations"] as Array<Record<string, unknown>>;
    assert.deepEqual(anns.map((a) => a["id"]), [10, 11, 12]);
    assert.deepEqual(anns[0]?.["extra"], { keep: true });
    assert.deepEqual(anns[2], { id: 12, image_id: 2, category_id: 1, bbox: [0, 0, 2, 2], score: 0.2, zzz: "last", verified: true });
  });

  it("rejects a file whose annotations are not an array, naming the field", () => {
    assert.throws(() => CocoModel.parse('{"images":[],"annotations":{},"categories":[]}', "x.json"), /Cannot read COCO "x.json": "annotations" is not an array/);
  });
});

describe("queryCoco()", () => {
  it("filters by source, status and confidence with facet counts", () => {
    const model = CocoModel.parse(sample());
    const all = queryCoco(model, ALL);
    assert.deepEqual(all.imageIndexes, [0, 1]);
    assert.equal(all.counts.annotations, 3);
    const tm = queryCoco(model, { ...ALL, sources: ["template_matching"] });
    assert.deepEqual(tm.imageIndexes, [0]);
    assert.deepEqual(tm.counts.bySource, { template_matching: 1, user_click: 1, unknown: 1 });
    const conf = queryCoco(model, { ...ALL, minConfidence: 0.5 });
    assert.deepEqual(conf.imageIndexes, [0]);
    assert.equal(conf.counts.annotations, 1);
    const cat1 = all.stats.find((s) => s.id === 1);
    assert.deepEqual(cat1, { id: 1, total: 2, verified: 0, rejected: 0 });
  });
  it("finds the annotations of several images the same with and without a built index", () => {
    const model = CocoModel.parse(sample());
    const ids = (found: Map<number | string, Array<{ id: number | string }>>): Array<[number | string, Array<number | string>]> => [...found].map(([image, anns]) => [image, anns.map((a) => a.id)]);
    const before = ids(model.annotationsOfImages([2, 1, 99]));
    assert.deepEqual(before, [
      [2, [12]],
      [1, [10, 11]],
      [99, []],
    ]);
    model.buildIndex();
    assert.deepEqual(ids(model.annotationsOfImages([2, 1, 99])), before);
  });
});

describe("CocoModel with a run-record annotation file", () => {
  const file = {
    image_id: "3f1c9a0b7d2e4c51",
    image_filename: "3f1c9a0b7d2e4c51.png",
    image_width: 64,
    image_height: 48,
    annotations: [
      { bbox: [1, 2, 3, 4], category_id: 0, category_name: "button", confidence: 0.8, source: "template_matching", verified: false, inference_metadata: { k: 1 } },
      { bbox: [5, 6, 7, 8], category_id: 1, category_name: "icon", confidence: 1, source: "user_click", verified: false },
    ],
    context: { action_type: "CLICK", active_states: [], timestamp: null, success: true },
    version: "1.0.0",
  };

  it("edits boxes in memory with ids and saves them without ids, names kept in step", () => {
    const model = CocoModel.parse(JSON.stringify(file, null, 2));
    assert.equal(model.kind, "run-record-annotation");
    assert.equal(model.images[0]?.["file_name"], "images/3f1c9a0b7d2e4c51.png");
    assert.deepEqual(model.categories, [{ id: 0, name: "button" }, { id: 1, name: "icon" }]);
    const verify = makeEdit(model, { op: "verify", annIds: [1] });
    const cat = makeEdit(model, { op: "setCategory", annId: 2, categoryId: 0 });
    assert.ok(verify && cat);
    model.apply(verify);
    model.apply(cat);
    const saved = JSON.parse(model.serialize()) as typeof file;
    assert.deepEqual(Object.keys(saved), Object.keys(file));
    assert.deepEqual(saved.annotations[0], { ...file.annotations[0], verified: true });
    assert.deepEqual(saved.annotations[1], { ...file.annotations[1], category_id: 0, category_name: "button" });
    assert.deepEqual(saved.context, file.context);
  });
});
