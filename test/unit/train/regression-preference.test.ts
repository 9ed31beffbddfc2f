import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { isTrainsetError } from "../../../kernel/src/util/errors.js";
import {
  averageRanks,
  buildHeadOnlyOnnx,
  buildRunOnnx,
  buildTinyOnnxBackbone,
  preferenceMetrics,
  readImportanceData,
  regressionMetrics,
  type HeadWeights,
} from "../../../kernel/src/train/index.js";
import { useTempDir } from "../../support/tmp.js";

const close = (a: number | null, b: number, eps = 1e-9): void => assert.ok(a !== null && Math.abs(a - b) < eps, `${String(a)} != ${b}`);

describe("regressionMetrics()", () => {
  it("gives MAE, RMSE and Spearman's rho by hand", () => {
    // errors 0.1, -0.2, 0.3, 0: MAE 0.15, RMSE sqrt(0.14/4); ranks of predictions 2,1,4,3 vs 1,2,3,4
    const r = regressionMetrics([0.3, 0.2, 0.9, 0.4], [0.2, 0.4, 0.6, 0.4 + 0.5]);
    close(r.mae, (0.1 + 0.2 + 0.3 + 0.5) / 4, 1e-7);
    close(r.rmse, Math.sqrt((0.01 + 0.04 + 0.09 + 0.25) / 4), 1e-7);
    // d = [1, -1, 1, -1]: rho = 1 - 6*4/(4*15) = 0.6
    close(r.spearman, 0.6, 1e-12);
  });

  it("averages tied ranks and has no rho for a constant side or an empty split", () => {
    assert.deepEqual(Array.from(averageRanks([10, 20, 20, 5])), [2, 3.5, 3.5, 1]);
    assert.equal(regressionMetrics([0.5, 0.5], [0, 1]).spearman, null);
    assert.deepEqual(regressionMetrics([], []), { count: 0, mae: null, rmse: null, spearman: null });
  });
});

describe("preferenceMetrics()", () => {
  it("counts pairs, ties as half, log loss and top-1 per group", () => {
    // group 1: winner 0 (s=2) vs 1 (s=1) and 2 (s=3): one right, one wrong; top-1 wrong
    // group 2: winner 3 (s=0) vs 4 (s=0): a tie
    const s = [2, 1, 3, 0, 0];
    const m = preferenceMetrics(s, [{ winners: [0], losers: [1, 2] }, { winners: [3], losers: [4] }]);
    assert.equal(m.pairs, 3);
    close(m.accuracy, 1.5 / 3);
    const nll = (d: number): number => -Math.log(1 / (1 + Math.exp(-d)));
    close(m.log_loss, (nll(1) + nll(-1) + nll(0)) / 3, 1e-12);
    assert.equal(m.groups, 2);
    close(m.top1_accuracy, 0);
    close(m.top1_chance, (1 / 3 + 1 / 2) / 2);
  });
});

describe("readImportanceData()", () => {
  const tmp = useTempDir();

  it("reads frame_path or framePath, resolves against the file's folder and averages repeats", async () => {
    const file = join(tmp(), "annotations.jsonl");
    await writeFile(file, ['{"frame_path":"v1/a.jpg","rating":0.2}', '{"framePath":"v1/a.jpg","rating":0.6}', '{"frame_path":"/abs/b.jpg","rating":1,"video_id":7}', ""].join("\n"));
    const data = await readImportanceData({ annotations: file });
    assert.deepEqual(data.images, [join(tmp(), "v1", "a.jpg"), "/abs/b.jpg"]);
    close(data.ratings[0]!, 0.4, 1e-6);
    assert.deepEqual(data.groups, [join(tmp(), "v1"), "7"]);
    assert.equal(data.duplicatesMerged, 1);
  });

  it("names the file, line and field of a rating outside 0..1", async () => {
    const file = join(tmp(), "annotations.jsonl");
    await writeFile(file, '{"frame_path":"a.jpg","rating":0.5}\n{"frame_path":"b.jpg","rating":1.5}\n');
    await assert.rejects(readImportanceData({ annotations: file }), (e: unknown) => isTrainsetError(e, "VALIDATION_ERROR") && e.line === 2 && e.field === "rating" && /between 0\.0 and 1\.0, got 1\.5/.test(e.message));
  });

  it("rejects an item without a path", async () => {
    await assert.rejects(readImportanceData({ items: [{ imagePath: "", rating: 0.5 }] }), /imagePath must be a non-empty path/);
  });
});

describe("buildRunOnnx()", () => {
  it("names a cut node the backbone does not have", () => {
    const head: HeadWeights = { spec: { kind: "linear", inputDim: 3, outputDim: 1, hiddenUnits: 0, dropout: 0 }, tensors: [{ name: "w1", shape: [3, 1], values: new Float32Array(3) }, { name: "b1", shape: [1], values: new Float32Array(1) }] };
    assert.throws(() => buildRunOnnx(buildTinyOnnxBackbone({ channels: 3 }), head, { cutAt: "fc7" }), (e: unknown) => isTrainsetError(e, "VALIDATION_ERROR") && /no tensor "fc7" to cut at/.test(e.message));
  });
});

describe("buildHeadOnlyOnnx()", () => {
  it("computes sigmoid(relu(x W1 + b1) W2 + b2) in onnxruntime", async () => {
    const head: HeadWeights = {
      spec: { kind: "mlp", inputDim: 2, outputDim: 1, hiddenUnits: 2, dropout: 0 },
      tensors: [
        { name: "w1", shape: [2, 2], values: Float32Array.of(1, -1, 2, 0.5) },
        { name: "b1", shape: [2], values: Float32Array.of(0, -3) },
        { name: "w2", shape: [2, 1], values: Float32Array.of(0.5, 2) },
        { name: "b2", shape: [1], values: Float32Array.of(-1) },
      ],
    };
    const session = await ort.InferenceSession.create(Buffer.from(buildHeadOnlyOnnx(head)));
    const out = await session.run({ embedding: new ort.Tensor("float32", Float32Array.of(1, 2), [1, 2]) });
    // h = relu([1*1+2*2, 1*-1+2*0.5-3]) = [5, 0]; z = 5*0.5 + 0*2 - 1 = 1.5
    close(Number((out["probabilities"]?.data as Float32Array)[0]), 1 / (1 + Math.exp(-1.5)), 1e-6);
    await session.release();
  });
});
