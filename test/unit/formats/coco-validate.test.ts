import assert from "node:assert/strict";
import { parseCoco, type CocoDataset } from "../../../kernel/src/formats/coco.js";
import { validateCoco } from "../../../kernel/src/formats/coco-validate.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";
import type { ValidationIssue } from "../../../kernel/src/util/issues.js";

/** A small valid COCO file in pycocotools' shape. */
function coco(): CocoDataset {
  return {
    info: { description: "test", version: "1.0", year: 2017 },
    licenses: [{ id: 1, name: "CC BY", url: "http://example.org" }],
    images: [
      { id: 1, file_name: "000000000001.jpg", width: 640, height: 480, license: 1, date_captured: "2013-11-14 11:18:45" },
      { id: 2, file_name: "000000000002.jpg", width: 320, height: 240 },
    ],
    annotations: [
      { id: 10, image_id: 1, category_id: 1, bbox: [10, 20, 100, 50], area: 4000, iscrowd: 0, segmentation: [[10, 20, 110, 20, 110, 70, 10, 70]] },
      { id: 11, image_id: 1, category_id: 3, bbox: [0, 0, 640, 480], area: 307200, iscrowd: 0 },
      { id: 12, image_id: 2, category_id: 1, bbox: [5.5, 6.25, 20, 30], area: 600, iscrowd: 1, segmentation: { counts: [0, 5, 10], size: [240, 320] } },
    ],
    categories: [
      { id: 1, name: "person", supercategory: "person" },
      { id: 3, name: "car", supercategory: "vehicle" },
    ],
  };
}

function errors(issues: readonly ValidationIssue[]): Array<[string, string | undefined]> {
  return issues.filter((i) => i.severity === "error").map((i) => [i.rule, i.field]);
}

function warnings(issues: readonly ValidationIssue[]): string[] {
  return issues.filter((i) => i.severity === "warning").map((i) => i.rule);
}

describe("validateCoco()", () => {
  it("finds nothing wrong with a well-formed file", () => {
    assert.deepEqual(validateCoco(coco()), []);
  });

  it("accepts what qontinui writes: 16-hex image ids, category 0, no licenses, extra fields", () => {
    const value = {
      info: { version: "1.0.0", description: "GUI automation training dataset", date_created: "2025-11-24T12:00:00" },
      images: [{ id: "3f1c9a0b7d2e4c51", file_name: "3f1c9a0b7d2e4c51.png", width: 1920, height: 1080, date_captured: 1700000000.0 }],
      annotations: [
        { id: 0, image_id: "3f1c9a0b7d2e4c51", category_id: 0, bbox: [100, 50, 200, 100], area: 20000, iscrowd: 0, confidence: 0.95, source: "template_matching", verified: false },
        { id: 1, image_id: "3f1c9a0b7d2e4c51", category_id: 1, bbox: [350, 250, 50, 50], area: 2500, iscrowd: 0, confidence: 1.0, source: "user_click", verified: true },
      ],
      categories: [
        { id: 0, name: "login_button", supercategory: "gui_element" },
        { id: 1, name: "click_target", supercategory: "gui_element" },
      ],
    };
    const issues = validateCoco(value);
    assert.deepEqual(errors(issues), []);
    assert.deepEqual(warnings(issues), ["string-ids", "annotation-id-zero"]);
    assert.equal(issues.find((i) => i.rule === "annotation-id-zero")?.field, "annotations[0].id");
  });

  it("rejects an annotation whose image_id is unknown, in the words of the style guide", () => {
    const value = coco();
    (value.annotations[1] as { image_id: number }).image_id = 99;
    const [issue] = validateCoco(value, { file: "train.json" });
    assert.equal(issue?.message, "annotation 1 (id 11) points to image_id 99, which is not in images");
    assert.equal(issue?.field, "annotations[1].image_id");
    assert.equal(issue?.file, "train.json");
    assert.equal(issue?.rule, "unknown-image-id");
  });

  it("throws the first error in strict mode with file and field", () => {
    const value = coco();
    (value.annotations[2] as { category_id: number }).category_id = 2;
    assert.throws(
      () => validateCoco(value, { mode: "strict", file: "train.json" }),
      (error: unknown) =>
        error instanceof TrainsetError &&
        error.code === "VALIDATION_ERROR" &&
        error.file === "train.json" &&
        error.field === "annotations[2].category_id" &&
        error.message === 'Cannot read "train.json": annotation 2 (id 12) points to category_id 2, which is not in categories',
    );
  });

  it("reports repeated image, annotation and category ids", () => {
    const value = coco();
    (value.images[1] as { id: number }).id = 1;
    (value.annotations[2] as { id: number }).id = 10;
    (value.categories[1] as { id: number }).id = 1;
    const issues = validateCoco(value);
    const dups = issues.filter((i) => i.rule === "duplicate-id");
    assert.deepEqual(dups.map((i) => i.field), ["images[1].id", "categories[1].id", "annotations[2].id"]);
    assert.match(dups[0]?.message ?? "", /image 1 repeats image id 1 \(images\[0\] has it too\)/);
    assert.match(dups[2]?.message ?? "", /annotations\[0\] has it too/);
  });

  it("checks that a bbox is four finite numbers with a non-negative size", () => {
    const value = coco();
    (value.annotations[0] as { bbox: unknown }).bbox = [1, 2, 3];
    (value.annotations[1] as { bbox: unknown }).bbox = [1, 2, "3", 4];
    (value.annotations[2] as { bbox: unknown }).bbox = [1, 2, -3, 4];
    assert.deepEqual(errors(validateCoco(value)), [
      ["invalid-bbox", "annotations[0].bbox"],
      ["invalid-bbox", "annotations[1].bbox"],
      ["negative-bbox-size", "annotations[2].bbox"],
    ]);
  });

  it("allows a bbox to overshoot its image by the tolerance (default 1 px) and no more", () => {
    const value = coco();
    (value.annotations[1] as { bbox: unknown }).bbox = [-1, 0, 641, 480]; // exactly 1 px over on the left
    assert.deepEqual(errors(validateCoco(value)), []);
    (value.annotations[1] as { bbox: unknown }).bbox = [0, 0, 641.5, 480];
    const issues = validateCoco(value);
    assert.deepEqual(errors(issues), [["bbox-outside-image", "annotations[1].bbox"]]);
    assert.match(issues[0]?.message ?? "", /reaching outside its 640×480 image by more than 1 px/);
    assert.deepEqual(errors(validateCoco(value, { bboxTolerance: 2 })), []);
    assert.throws(() => validateCoco(value, { bboxTolerance: -1 }), RangeError);
  });

  it("checks area and iscrowd", () => {
    const value = coco();
    (value.annotations[0] as { area: unknown }).area = -1;
    (value.annotations[1] as { area: unknown }).area = 400000;
    (value.annotations[2] as { iscrowd: unknown }).iscrowd = 2;
    const issues = validateCoco(value);
    assert.deepEqual(errors(issues), [
      ["invalid-area", "annotations[0].area"],
      ["invalid-iscrowd", "annotations[2].iscrowd"],
    ]);
    assert.deepEqual(warnings(issues), ["area-exceeds-bbox"]);
  });

  it("summarises missing areas in one warning", () => {
    const value = coco();
    for (const ann of value.annotations) delete ann.area;
    const issues = validateCoco(value);
    assert.equal(issues.length, 1);
    assert.match(issues[0]?.message ?? "", /^3 annotation\(s\) have no area \(first: annotations\[0\]\.area\)/);
  });

  it("checks polygons and RLE segmentations", () => {
    const value = coco();
    (value.annotations[0] as { segmentation: unknown }).segmentation = [[1, 2, 3, 4, 5]];
    (value.annotations[2] as { segmentation: unknown }).segmentation = { counts: [1] };
    const issues = validateCoco(value);
    assert.deepEqual(errors(issues), [
      ["invalid-segmentation", "annotations[0].segmentation"],
      ["invalid-segmentation", "annotations[2].segmentation"],
    ]);
    assert.match(issues[0]?.message ?? "", /polygon 0 has 5 coordinates/);
  });

  it("requires positive image sizes and a file_name", () => {
    const value = coco();
    (value.images[0] as { width: unknown }).width = 0;
    delete (value.images[1] as { file_name?: string }).file_name;
    assert.deepEqual(errors(validateCoco(value)), [
      ["invalid-image-size", "images[0].width"],
      ["missing-file-name", "images[1].file_name"],
    ]);
  });

  it("warns about an unknown license and a repeated category name", () => {
    const value = coco();
    (value.images[1] as { license?: number }).license = 7;
    (value.categories[1] as { name: string }).name = "person";
    assert.deepEqual(warnings(validateCoco(value)), ["unknown-license", "duplicate-category-name"]);
  });

  it("reports a value that is not a COCO object", () => {
    assert.deepEqual(errors(validateCoco([1, 2])), [["not-coco", undefined]]);
    assert.deepEqual(errors(validateCoco({ images: {}, categories: [] })), [["missing-images", "images"]]);
  });
});

describe("parseCoco()", () => {
  it("reads an image-info file without annotations as one without boxes", () => {
    const noAnns: Partial<CocoDataset> = coco();
    delete noAnns.annotations;
    const parsed = parseCoco(JSON.stringify(noAnns), { mode: "collect" });
    assert.deepEqual(parsed.annotations, []);
  });

  it("names the line of a JSON syntax error", () => {
    assert.throws(
      () => parseCoco('{\n"images": [\n{"id": 1,,}\n]}', { file: "bad.json" }),
      (error: unknown) => error instanceof TrainsetError && error.code === "PARSE_ERROR" && error.line === 3 && /Cannot read COCO "bad.json": not valid JSON \(line 3\)/.test(error.message),
    );
  });
});
