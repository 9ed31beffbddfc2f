import assert from "node:assert/strict";
import { scanAnnotationsOf } from "../../../extension/src/editors/coco/coco-annotations-scan.js";

const ids = (found: Map<number | string, Array<{ id: unknown }>>): Array<[number | string, unknown[]]> => [...found].map(([image, anns]) => [image, anns.map((a) => a.id)]);

describe("scanAnnotationsOf()", () => {
  it("finds the annotations of the wanted images in file order, keys in COCO-2017 order (segmentation first)", () => {
    const annotations = [
      { segmentation: [[1, 2, 3, 4]], area: 5, iscrowd: 0, image_id: 1, bbox: [1, 2, 3, 4], category_id: 3, id: 10 },
      { segmentation: { counts: [1, 2, 3], size: [4, 5] }, area: 5, iscrowd: 1, image_id: 2, bbox: [0, 0, 1, 1], category_id: 1, id: 11 },
      { segmentation: [], image_id: 3, bbox: [0, 0, 1, 1], category_id: 1, id: 12 },
      { id: 13, image_id: 1, category_id: 2, bbox: [5, 6, 7, 8], extra: { keep: true } },
    ];
    const text = JSON.stringify({ images: [{ id: 1 }, { id: 2 }, { id: 3 }], annotations });
    const found = scanAnnotationsOf(Buffer.from(text), [1, 2, 99]);
    assert.deepEqual(ids(found), [
      [1, [10, 13]],
      [2, [11]],
      [99, []],
    ]);
    assert.deepEqual(found.get(1)?.[1], annotations[3]);
  });

  it("reads pretty-printed files and string image ids", () => {
    const text = JSON.stringify({ annotations: [{ id: "a", image_id: "img 1", category_id: 1 }, { id: "b", image_id: 1, category_id: 1 }] }, null, 2);
    assert.deepEqual(ids(scanAnnotationsOf(Buffer.from(text), ["img 1"])), [["img 1", ["a"]]]);
  });

  it("ignores the text image_id inside strings and image_id keys of nested objects", () => {
    const text = JSON.stringify({
      info: { description: 'a "image_id": 1 in a string' },
      annotations: [
        { id: 20, meta: { image_id: 1 }, image_id: 2, category_id: 1 },
        { id: 21, image_id: 1, category_id: 1, note: '"image_id": 1' },
      ],
    });
    assert.deepEqual(ids(scanAnnotationsOf(Buffer.from(text), [1])), [[1, [21]]]);
  });

  it("skips an annotation it cannot delimit rather than returning another one", () => {
    const text = JSON.stringify({ annotations: [{ id: 30, image_id: 1, category_id: 1 }, { id: 31, note: "}", image_id: 1, category_id: 1 }] });
    assert.deepEqual(ids(scanAnnotationsOf(Buffer.from(text), [1])), [[1, [30]]]);
  });

  it("takes only objects that are annotations (id and category_id)", () => {
    const text = JSON.stringify({ images: [{ id: 1, image_id: 1 }], annotations: [{ id: 40, image_id: 1, category_id: 1 }] });
    assert.deepEqual(ids(scanAnnotationsOf(Buffer.from(text), [1])), [[1, [40]]]);
  });
});
