/**
 * lx-ai's "unfreeze": fine-tunes the last layers of the built-in MobileNetV2 (a tfjs layers
 * model) jointly with a linear head on the masked loss, backbone and head with their own Adam
 * learning rates. Only with a native tfjs backend (tfjs-node / tfjs-node-gpu): the wasm backend
 * lacks fast conv gradients. Saves the tuned backbone as a tfjs layers model (`file://`, which
 * tfjs-node provides) and returns it as a {@link Backbone} whose embeddings feed train()'s head.
 * Not exercised by the test suite: no native backend installs on the CI machines.
 */
import * as tf from "@tensorflow/tfjs";
import { createSeededRng } from "../split/seeded-rng.js";
import { TrainsetError } from "../util/errors.js";
import { sha256Hex } from "../util/hashing.js";
import { throwIfAborted, type RunControl } from "../util/run-control.js";
import type { Backbone } from "./backbone.js";
import { loadBuiltinLayersModel } from "./builtin-model.js";
import { maskedLoss, type HeadLoss } from "./head-model.js";
import { loadImageInto, type Preprocessing } from "./preprocess.js";

/** Options for {@link fineTuneBuiltinBackbone}. */
export interface FineTuneOptions extends RunControl {
  images: readonly string[];
  /** N×L targets and masks in image order; only `trainRows` are used. */
  targets: Float32Array;
  masks: Float32Array;
  labels: number;
  trainRows: readonly number[];
  /** Trainable layers counted from the end (BatchNorm layers stay frozen). */
  unfreezeLayers: number;
  epochs: number;
  batchSize: number;
  lrHead: number;
  lrBackbone: number;
  loss: HeadLoss;
  seed: number;
  /** Folder the tuned backbone is saved to (`model.json` + weights). */
  saveTo: string;
}

const PRE: Preprocessing = { size: 224, normalize: "unit", layout: "nhwc" };
const PER = 224 * 224 * 3;

/**
 * Fine-tunes and saves the built-in backbone; returns it ready to embed.
 * @example const backbone = await fineTuneBuiltinBackbone({ images, targets, masks, labels: 9, trainRows, unfreezeLayers: 20, ... });
 */
export async function fineTuneBuiltinBackbone(options: FineTuneOptions): Promise<Backbone> {
  const { full, features, weightsHash } = await loadBuiltinLayersModel();
  const layers = features.layers;
  layers.forEach((layer, i) => {
    layer.trainable = i >= layers.length - options.unfreezeLayers && layer.getClassName() !== "BatchNormalization";
  });
  const backboneVars = features.trainableWeights.map((w) => w.read() as tf.Variable);
  const dim = (features.outputs[0]?.shape[1] as number | undefined) ?? 1280;
  const L = options.labels;
  const rng = createSeededRng(options.seed);
  const bound = 1 / Math.sqrt(dim);
  const w = tf.variable(tf.tensor2d(Float32Array.from({ length: dim * L }, () => (rng.nextFloat() * 2 - 1) * bound), [dim, L]), true, "finetune_w");
  const b = tf.variable(tf.zeros([L]), true, "finetune_b");
  const optBackbone = tf.train.adam(options.lrBackbone);
  const optHead = tf.train.adam(options.lrHead);
  const per = PER;
  const B = options.batchSize;
  const xBuf = new Float32Array(B * per);
  const yBuf = new Float32Array(B * L);
  const mBuf = new Float32Array(B * L);
  const order = [...options.trainRows];
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    rng.shuffle(order);
    for (let s = 0; s < order.length; s += B) {
      throwIfAborted(options.signal, "fine-tune the backbone");
      const rows = order.slice(s, s + B);
      await Promise.all(rows.map((r, k) => loadImageInto(options.images[r] ?? "", PRE, xBuf, k * per)));
      rows.forEach((r, k) => {
        yBuf.set(options.targets.subarray(r * L, (r + 1) * L), k * L);
        mBuf.set(options.masks.subarray(r * L, (r + 1) * L), k * L);
      });
      const n = rows.length;
      tf.tidy(() => {
        const x = tf.tensor4d(xBuf.subarray(0, n * per), [n, 224, 224, 3]);
        const y = tf.tensor2d(yBuf.subarray(0, n * L), [n, L]);
        const m = tf.tensor2d(mBuf.subarray(0, n * L), [n, L]);
        const f = (): tf.Scalar => maskedLoss(tf.add(tf.matMul(features.apply(x, { training: true }) as tf.Tensor2D, w), b), y, m, options.loss);
        const { grads } = tf.variableGrads(f, [...backboneVars, w, b]);
        optBackbone.applyGradients(backboneVars.flatMap((v) => (grads[v.name] === undefined ? [] : [{ name: v.name, tensor: grads[v.name] as tf.Tensor }])));
        optHead.applyGradients([w, b].flatMap((v) => (grads[v.name] === undefined ? [] : [{ name: v.name, tensor: grads[v.name] as tf.Tensor }])));
      });
    }
    options.onProgress?.({ phase: "fine-tune backbone", done: epoch, total: options.epochs, unit: "epochs" });
  }
  tf.dispose([w, b]);
  optBackbone.dispose();
  optHead.dispose();
  try {
    await features.save(`file://${options.saveTo}`);
  } catch (error) {
    throw new TrainsetError("DEPENDENCY_MISSING", `Cannot save the fine-tuned backbone to "${options.saveTo}": file:// saving needs @tensorflow/tfjs-node (${error instanceof Error ? error.message : String(error)})`, { file: options.saveTo, cause: error });
  }
  return layersBackbone(features, () => full.dispose(), `finetuned:${options.saveTo}`, sha256Hex(`${weightsHash}|finetuned|${options.saveTo}|${Date.now()}`));
}

/**
 * Loads a tuned backbone saved by {@link fineTuneBuiltinBackbone} (needs tfjs-node for file://).
 * @example const backbone = await loadTfjsBackbone("runs/r1/backbone/model.json");
 */
export async function loadTfjsBackbone(path: string): Promise<Backbone> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(`file://${path}`);
  } catch (error) {
    throw new TrainsetError("DEPENDENCY_MISSING", `Cannot load tfjs backbone "${path}": loading file:// models needs @tensorflow/tfjs-node (${error instanceof Error ? error.message : String(error)})`, { file: path, cause: error });
  }
  return layersBackbone(model, () => model.dispose(), `tfjs:${path}`, sha256Hex(`tfjs|${path}`));
}

function layersBackbone(model: tf.LayersModel, dispose: () => void, name: string, id: string): Backbone {
  return {
    name,
    id,
    preprocessing: PRE,
    async embed(batch, n) {
      const x = tf.tensor4d(batch.subarray(0, n * PER), [n, 224, 224, 3]);
      const y = model.predict(x) as tf.Tensor;
      const features = (await y.data()) as Float32Array;
      tf.dispose([x, y]);
      return { features, dim: features.length / n };
    },
    dispose() {
      dispose();
      return Promise.resolve();
    },
  };
}
