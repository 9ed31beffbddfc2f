import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { isTrainsetError } from "../../../kernel/src/util/errors.js";
import {
  buildTrainData,
  loadImageInto,
  parseTrainConfig,
  readTrainSamples,
  selectTfBackend,
  train,
  trainingCharts,
  trainingChartsFromEpochs,
  type RawSample,
} from "../../../kernel/src/train/index.js";
import { useTempDir } from "../../support/tmp.js";

const labelset = { name: "t", version: 1, labels: ["polyp", "blood", "nbi"] };

describe("buildTrainData()", () => {
  const raw: RawSample[] = [
    { image: "a", group: "e1", positives: ["polyp", "snare"] },
    { image: "b", group: "e1", positives: ["snare"] },
    { image: "c", group: "e2", positives: null },
    { image: "d", group: "e3", positives: ["nbi"], negatives: ["polyp"] },
  ];

  it("drops images without a positive inside the labelset and counts them", () => {
    const data = buildTrainData(raw, labelset);
    assert.deepEqual(data.images, ["a", "c", "d"]);
    assert.equal(data.droppedZeroPositive, 1);
    assert.deepEqual(Array.from(data.targets.subarray(0, 3)), [1, 0, 0]);
  });

  it("masks every label of a null-labelled image unless it is treated as negative", () => {
    const masked = buildTrainData(raw, labelset);
    assert.deepEqual(Array.from(masked.masks.subarray(3, 6)), [0, 0, 0]);
    assert.equal(masked.unlabeled, 1);
    const negative = buildTrainData(raw, labelset, { treatUnlabeledAsNegative: true });
    assert.deepEqual(Array.from(negative.masks.subarray(3, 6)), [1, 1, 1]);
    assert.deepEqual(Array.from(negative.targets.subarray(3, 6)), [0, 0, 0]);
  });

  it("masks frame-table labels that have no row for the frame", () => {
    const data = buildTrainData(raw, labelset);
    assert.deepEqual(Array.from(data.masks.subarray(6, 9)), [1, 0, 1]);
    assert.deepEqual(Array.from(data.targets.subarray(6, 9)), [0, 0, 1]);
  });

  it("rejects a labelset with repeated names", () => {
    assert.throws(() => buildTrainData(raw, { name: "x", version: 1, labels: ["a", "a"] }), (e: unknown) => isTrainsetError(e, "VALIDATION_ERROR"));
  });
});

describe("readTrainSamples()", () => {
  const tmp = useTempDir();
  it("reads a legacy JSONL with images under images/ and exam groups", async () => {
    const path = join(tmp(), "l.jsonl");
    await writeFile(path, '{"labels":["polyp"],"old_examination_id":3,"old_id":1,"filename":"1.jpg"}\n{"labels":null,"old_examination_id":null,"old_id":2,"filename":"2.jpg"}\n');
    const raw = await readTrainSamples({ kind: "legacy-jsonl", path });
    assert.equal(raw[0]?.image, join(tmp(), "images", "1.jpg"));
    assert.equal(raw[0]?.group, "3");
    assert.equal(raw[1]?.group, "no_exam_2");
    assert.equal(raw[1]?.positives, null);
  });

  it("names the file and line of a broken legacy record", async () => {
    const path = join(tmp(), "bad.jsonl");
    await writeFile(path, '{"labels":["polyp"],"old_examination_id":3,"old_id":1,"filename":"1.jpg"}\n{"labels": 5}\n');
    await assert.rejects(readTrainSamples({ kind: "legacy-jsonl", path }), (e: unknown) => isTrainsetError(e) && e.line === 2);
  });

  it("gives COCO images the categories present as labels", async () => {
    const path = join(tmp(), "c.json");
    await writeFile(path, JSON.stringify({
      images: [{ id: 1, file_name: "x.jpg", width: 4, height: 4 }, { id: 2, file_name: "y.jpg", width: 4, height: 4 }],
      annotations: [{ id: 1, image_id: 1, category_id: 7, bbox: [0, 0, 1, 1], area: 1, iscrowd: 0 }],
      categories: [{ id: 7, name: "polyp" }],
    }));
    const raw = await readTrainSamples({ kind: "coco", path });
    assert.deepEqual(raw.map((r) => r.positives), [["polyp"], []]);
  });
});

describe("loadImageInto()", () => {
  it("writes ImageNet-normalised NCHW values", async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: { r: 255, g: 0, b: 128 } } }).png().toBuffer();
    const out = new Float32Array(2 * 2 * 3);
    await loadImageInto(png, { size: 2, normalize: "imagenet", layout: "nchw" }, out, 0);
    assert.ok(Math.abs(out[0]! - (1 - 0.485) / 0.229) < 1e-5);
    assert.ok(Math.abs(out[4]! - (0 - 0.456) / 0.224) < 1e-5);
    assert.ok(Math.abs(out[8]! - (128 / 255 - 0.406) / 0.225) < 1e-5);
  });

  it("rejects bytes that are not an image with IO_ERROR", async () => {
    await assert.rejects(loadImageInto(Buffer.from("nope"), { size: 2, normalize: "unit", layout: "nhwc" }, new Float32Array(12), 0), (e: unknown) => isTrainsetError(e, "IO_ERROR"));
  });
});

describe("parseTrainConfig()", () => {
  const source = { kind: "legacy-jsonl", path: "a.jsonl" };
  it("applies lx-ai's defaults and accepts snake_case keys", () => {
    const c = parseTrainConfig({ source, num_epochs: 7 });
    assert.equal(c.numEpochs, 7);
    assert.equal(c.batchSize, 32);
    assert.equal(c.alphaFocal, 0.25);
    assert.equal(c.warmupEpochs, 3);
    assert.equal(c.seed, 42);
  });
  it("names an unknown option and a bad value", () => {
    assert.throws(() => parseTrainConfig({ source, num_epoch: 7 }, "t.json"), /Cannot read training config "t.json": "num_epoch" is not a known option/);
    assert.throws(() => parseTrainConfig({ source, batch_size: 0 }, "t.json"), (e: unknown) => isTrainsetError(e) && e.field === "batch_size");
  });
  it("refuses a trainable ONNX backbone: onnxruntime does not train", () => {
    assert.throws(() => parseTrainConfig({ source, backbone: { kind: "onnx", path: "r.onnx" }, freeze_backbone: false }, "t.json"), (e: unknown) => isTrainsetError(e, "VALIDATION_ERROR") && e.field === "freeze_backbone");
  });
  it("refuses a trainable backbone without a native tfjs backend, saying what to install", async function () {
    // Where tfjs-node is installed the refusal cannot happen: this check is for machines without it.
    if ((await selectTfBackend("auto")).name === "tensorflow") this.skip();
    const config = parseTrainConfig({ source: { kind: "legacy-jsonl", path: "/nonexistent/l.jsonl" }, freeze_backbone: false, tf_backend: "auto" });
    await assert.rejects(train(config), (e: unknown) => isTrainsetError(e, "DEPENDENCY_MISSING") && /needs a native tfjs backend.*npm install @tensorflow\/tfjs-node/.test(e.message));
  });
});

describe("trainingCharts()", () => {
  it("returns a Vega-Lite v5 spec with one row per epoch and series", () => {
    const spec = trainingCharts({ train_loss: [1, 0.5], val_loss: [1.1, 0.6], test_loss: [1, 1], val_map: [0.2, 0.3], val_macro_f1: [0.1, 0.2], lr: [1, 1] });
    assert.match(String(spec["$schema"]), /vega-lite\/v5/);
    assert.equal((spec["data"] as { values: unknown[] }).values.length, 10);
  });
});

describe("trainingChartsFromEpochs()", () => {
  it("charts the epochs seen so far", () => {
    const e = { epoch: 1, epochs: 3, lr: 1, train_loss: 0.5, val_loss: 0.6, test_loss: 0.7, val_map: 0.2, val_macro_f1: 0.1, seconds: 1, eta_seconds: 2 };
    const spec = trainingChartsFromEpochs([e, { ...e, epoch: 2 }]);
    assert.equal((spec["data"] as { values: unknown[] }).values.length, 10);
  });
});
