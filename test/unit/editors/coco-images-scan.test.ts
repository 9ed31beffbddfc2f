import assert from "node:assert/strict";
import { CocoImagesScanner, scanCocoImages } from "../../../extension/src/editors/coco/coco-images-scan.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

const IMAGES = [
  { id: 1, file_name: "a.jpg", width: 10, height: 8 },
  { id: 2, file_name: "b [x].jpg", width: 10, height: 8, extra: { nested: [1, { deep: "]}" }] } },
  { id: 3, file_name: 'c "quoted".jpg', width: 10, height: 8 },
];

describe("CocoImagesScanner", () => {
  it("finds the first images of a compact file whose images are the first key", () => {
    const text = JSON.stringify({ images: IMAGES, annotations: [], categories: [] });
    assert.deepEqual(scanCocoImages(bytes(text), { limit: 2 }), IMAGES.slice(0, 2));
  });

  it("skips keys before images whose values hold brackets, braces and escaped quotes in strings", () => {
    const text = JSON.stringify({
      info: { description: 'a "quoted" ] } [ { text \\ with a backslash', list: [[1, 2], { a: "}" }], empty: {} },
      licenses: [{ id: 1, name: "CC]" }],
      n: -1.5e3,
      ok: true,
      none: null,
      images: IMAGES,
      annotations: [{ id: 1, image_id: 1 }],
    });
    assert.deepEqual(scanCocoImages(bytes(text)), IMAGES);
  });

  it("reads a pretty-printed file with CRLF line ends and tabs", () => {
    const text = JSON.stringify({ info: { year: 2017 }, images: IMAGES, categories: [{ id: 1, name: "cat" }] }, null, "\t").replace(/\n/g, "\r\n");
    assert.deepEqual(scanCocoImages(bytes(text), { limit: 3 }), IMAGES);
  });

  it("finds images placed after the annotations", () => {
    const text = JSON.stringify({ annotations: [{ id: 1, image_id: 1, bbox: [1, 2, 3, 4], segmentation: [[1, 2]] }], categories: [], images: IMAGES });
    assert.deepEqual(scanCocoImages(bytes(text), { limit: 1 }), IMAGES.slice(0, 1));
  });

  it("keeps UTF-8 file names intact", () => {
    const images = [{ id: 1, file_name: "straße/日本.jpg" }];
    assert.deepEqual(scanCocoImages(bytes(JSON.stringify({ images }))), images);
  });

  it("gives the whole array when it has fewer images than the limit, and an empty one as found", () => {
    const scanner = new CocoImagesScanner(bytes('{"images": [ ], "annotations": []}'));
    assert.equal(scanner.feed(Infinity), "found");
    assert.deepEqual(scanner.images, []);
    assert.deepEqual(scanCocoImages(bytes(JSON.stringify({ images: IMAGES })), { limit: 50 }), IMAGES);
  });

  it("resumes across any split of the bytes, as when the file arrives in chunks", () => {
    const text = bytes(JSON.stringify({ info: { s: 'x"]}' }, images: IMAGES, annotations: [] }, null, 1));
    for (const chunk of [1, 2, 3, 7, 64]) {
      const scanner = new CocoImagesScanner(text, { limit: 3 });
      let status = scanner.status;
      for (let end = chunk; status === "scanning"; end += chunk) status = scanner.feed(end);
      assert.equal(status, "found", `chunk ${chunk}`);
      assert.deepEqual(scanner.images, IMAGES, `chunk ${chunk}`);
    }
  });

  it("stays scanning while the images array is not complete yet", () => {
    const text = bytes(JSON.stringify({ images: IMAGES }));
    const scanner = new CocoImagesScanner(text, { limit: 10 });
    assert.equal(scanner.feed(text.length - 2), "scanning"); // all but the closing "]}"
    assert.equal(scanner.images.length, 3);
    assert.equal(scanner.feed(text.length), "found");
  });

  it("reports absent when there is no images key, so the caller waits for the full parse", () => {
    assert.equal(scanCocoImages(bytes(JSON.stringify({ image_filename: "a.png", annotations: [{ bbox: [1, 2, 3, 4] }] }))), null);
    assert.equal(new CocoImagesScanner(bytes("{}")).feed(2), "absent");
  });

  it("reports absent for text that is not a COCO object or not JSON", () => {
    for (const text of ["[1, 2]", '"images"', '{"images": {"id": 1}}', '{"images" [1]}', "{images: []}", '{"a": 1 "images": []}', '{"images": [{"id": 1,}]}']) {
      assert.equal(scanCocoImages(bytes(text)), null, text);
    }
  });

  it("skips image elements that are not objects", () => {
    assert.deepEqual(scanCocoImages(bytes('{"images": [1, "x", null, {"id": 7}, [2]]}')), [{ id: 7 }]);
  });

  it("rejects a limit that is not a positive integer", () => {
    assert.throws(() => new CocoImagesScanner(bytes("{}"), { limit: 0 }), RangeError);
  });
});
