/**
 * The epoch loop shared by the single-output heads (frame importance, preference): seeded
 * shuffles, batches copied from Float32Arrays, AdamW with linear warmup then cosine decay,
 * an abort check between batches, and one callback per epoch that may stop early.
 */
import * as tf from "@tensorflow/tfjs";
import { createSeededRng } from "../split/seeded-rng.js";
import type { HeadLoss, HeadModel } from "./head-model.js";
import { learningRateAt } from "./lr-schedule.js";

/** A row-major design matrix with its targets (N×outDim) and optional mask. */
export interface FitData {
  x: Float32Array;
  y: Float32Array;
  rows: number;
}

/** Options for {@link fitHead}. */
export interface FitHeadOptions {
  loss: HeadLoss;
  numEpochs: number;
  batchSize: number;
  lr: number;
  warmupEpochs: number;
  minLr: number;
  weightDecay: number;
  seed: number;
  signal?: AbortSignal | undefined;
  /** Called after each epoch with its mean train loss; return true to stop. */
  afterEpoch: (epoch: number, trainLoss: number, lr: number) => Promise<boolean> | boolean;
}

/** How the loop ended. */
export interface FitHeadResult {
  status: "completed" | "cancelled";
  epochsRun: number;
}

/**
 * Trains `head` on `data` in place.
 * @example await fitHead(head, { x, y, rows }, { loss, numEpochs: 20, batchSize: 32, lr: 1e-3, ... });
 */
export async function fitHead(head: HeadModel, data: FitData, options: FitHeadOptions): Promise<FitHeadResult> {
  const D = head.spec.inputDim;
  const L = head.spec.outputDim;
  const B = options.batchSize;
  const rng = createSeededRng(options.seed);
  const order = Array.from({ length: data.rows }, (_, i) => i);
  const xBuf = new Float32Array(B * D);
  const yBuf = new Float32Array(B * L);
  const ones = new Float32Array(B * L).fill(1);
  let epochsRun = 0;
  for (let epoch = 1; epoch <= options.numEpochs; epoch++) {
    const lr = learningRateAt(epoch, { baseLr: options.lr, epochs: options.numEpochs, warmupEpochs: options.warmupEpochs, minLr: options.minLr });
    rng.shuffle(order);
    let sum = 0;
    let batches = 0;
    for (let s = 0; s < order.length; s += B) {
      if (options.signal?.aborted === true) return { status: "cancelled", epochsRun };
      const n = Math.min(B, order.length - s);
      for (let k = 0; k < n; k++) {
        const r = order[s + k] ?? 0;
        xBuf.set(data.x.subarray(r * D, (r + 1) * D), k * D);
        yBuf.set(data.y.subarray(r * L, (r + 1) * L), k * L);
      }
      const x = tf.tensor2d(xBuf.subarray(0, n * D), [n, D]);
      const y = tf.tensor2d(yBuf.subarray(0, n * L), [n, L]);
      const m = tf.tensor2d(ones.subarray(0, n * L), [n, L]);
      sum += head.trainBatch(x, y, m, options.loss, lr, options.weightDecay);
      batches++;
      tf.dispose([x, y, m]);
    }
    epochsRun = epoch;
    if (await options.afterEpoch(epoch, sum / Math.max(batches, 1), lr)) break;
  }
  return { status: "completed", epochsRun };
}

/**
 * Rows of `features` (N×dim) picked by index, as one contiguous array.
 * @example const xTrain = gatherRows(features, 512, trainRows);
 */
export function gatherRows(features: Float32Array, dim: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(features.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}
