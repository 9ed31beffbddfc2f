/**
 * The trainable head in tfjs: linear or one-hidden-layer MLP over an embedding, trained with a
 * hand-written AdamW (decoupled weight decay, learning rate set per epoch) on the masked focal
 * or BCE loss of `losses.ts`. Batches are copied straight from a Float32Array (no tf.gather).
 */
import * as tf from "@tensorflow/tfjs";
import { createSeededRng } from "../split/seeded-rng.js";
import type { HeadLoss, HeadSpec, HeadWeights } from "./head-spec.js";

export type { HeadLoss, HeadSpec, HeadWeights } from "./head-spec.js";

let headCounter = 0;

/** A head with its optimiser state. */
export class HeadModel {
  readonly spec: HeadSpec;
  private readonly params: tf.Variable[];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private step = 0;
  private readonly dropoutSeed: number;

  /** PyTorch-default uniform weights and biases, from `seed`. */
  constructor(spec: HeadSpec, seed: number) {
    this.spec = spec;
    const rng = createSeededRng(seed);
    // PyTorch's nn.Linear default (what lx-ai's head gets): weights and biases ~ U(±1/sqrt(fan_in)).
    const uniform = (shape: number[], fanIn: number): tf.Tensor => {
      const bound = 1 / Math.sqrt(fanIn);
      const size = shape.reduce((a, b) => a * b, 1);
      return tf.tensor(Float32Array.from({ length: size }, () => (rng.nextFloat() * 2 - 1) * bound), shape);
    };
    const shapes: tf.Tensor[] =
      spec.kind === "linear"
        ? [uniform([spec.inputDim, spec.outputDim], spec.inputDim), spec.bias === false ? tf.zeros([spec.outputDim]) : uniform([spec.outputDim], spec.inputDim)]
        : [
            uniform([spec.inputDim, spec.hiddenUnits], spec.inputDim),
            uniform([spec.hiddenUnits], spec.inputDim),
            uniform([spec.hiddenUnits, spec.outputDim], spec.hiddenUnits),
            uniform([spec.outputDim], spec.hiddenUnits),
          ];
    this.params = shapes.map((t, i) => tf.variable(t, true, `head_${++headCounter}_${i}`));
    shapes.forEach((t) => t.dispose());
    this.m = this.params.map((p) => tf.variable(tf.zerosLike(p), false));
    this.v = this.params.map((p) => tf.variable(tf.zerosLike(p), false));
    this.dropoutSeed = seed;
  }

  /** Logits for a batch (N×inputDim). */
  logits(x: tf.Tensor2D, training = false): tf.Tensor2D {
    const [w1, b1, w2, b2] = this.params as [tf.Variable, tf.Variable, tf.Variable?, tf.Variable?];
    let h: tf.Tensor = tf.add(tf.matMul(x, w1), b1);
    if (this.spec.kind === "mlp" && w2 !== undefined && b2 !== undefined) {
      h = tf.relu(h);
      if (training && this.spec.dropout > 0) h = tf.dropout(h, this.spec.dropout, undefined, this.dropoutSeed + this.step);
      h = tf.add(tf.matMul(h as tf.Tensor2D, w2), b2);
    }
    return h as tf.Tensor2D;
  }

  /** One AdamW step on a batch; returns the batch loss. */
  trainBatch(x: tf.Tensor2D, y: tf.Tensor2D, mask: tf.Tensor2D, loss: HeadLoss, lr: number, weightDecay: number): number {
    this.step++;
    const b1 = 0.9, b2 = 0.999, eps = 1e-8;
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => maskedLoss(this.logits(x, true), y, mask, loss), this.params);
      const c1 = 1 - Math.pow(b1, this.step);
      const c2 = 1 - Math.pow(b2, this.step);
      this.params.forEach((p, i) => {
        const g = grads[p.name];
        const m = this.m[i];
        const v = this.v[i];
        if (g === undefined || m === undefined || v === undefined) return;
        if (i === 1 && this.spec.kind === "linear" && this.spec.bias === false) return;
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        // Decoupled weight decay (AdamW), on weight matrices only (as PyTorch param groups usually do).
        const decay = p.rank === 2 ? tf.mul(p, weightDecay) : tf.zerosLike(p);
        p.assign(tf.sub(p, tf.mul(tf.add(update, decay), lr)));
      });
      return value.dataSync()[0] ?? 0;
    });
  }

  /** Logits for all rows of `features` (N×inputDim), in batches. */
  predictLogits(features: Float32Array, n: number, batchSize = 512): Float32Array {
    const D = this.spec.inputDim;
    const out = new Float32Array(n * this.spec.outputDim);
    for (let s = 0; s < n; s += batchSize) {
      const e = Math.min(n, s + batchSize);
      const z = tf.tidy(() => this.logits(tf.tensor2d(features.subarray(s * D, e * D), [e - s, D])).dataSync());
      out.set(z, s * this.spec.outputDim);
    }
    return out;
  }

  /** The current weights as plain arrays. */
  getWeights(): HeadWeights {
    const names = this.spec.kind === "linear" ? ["w1", "b1"] : ["w1", "b1", "w2", "b2"];
    return { spec: this.spec, tensors: this.params.map((p, i) => ({ name: names[i] ?? `t${i}`, shape: p.shape, values: p.dataSync() as Float32Array })) };
  }

  /** Replaces the weights (e.g. with the best epoch's). */
  setWeights(weights: HeadWeights): void {
    this.params.forEach((p, i) => {
      const t = weights.tensors[i];
      if (t !== undefined) p.assign(tf.tensor(t.values, t.shape));
    });
  }

  /** Frees the variables. */
  dispose(): void {
    [...this.params, ...this.m, ...this.v].forEach((t) => t.dispose());
  }
}

/** The masked loss of `losses.ts` in tfjs ops (scalar). */
export function maskedLoss(z: tf.Tensor2D, y: tf.Tensor2D, mask: tf.Tensor2D, loss: HeadLoss): tf.Scalar {
  const w = tf.tensor1d(loss.weights);
  const p = tf.clipByValue(tf.sigmoid(z), 1e-6, 1 - 1e-6);
  let per: tf.Tensor;
  if (loss.kind === "focal") {
    const pt = tf.add(tf.mul(p, y), tf.mul(tf.sub(1, p), tf.sub(1, y)));
    const at = tf.add(tf.mul(y, loss.alpha), tf.mul(tf.sub(1, y), 1 - loss.alpha));
    per = tf.neg(tf.mul(tf.mul(at, tf.pow(tf.sub(1, pt), loss.gamma)), tf.log(pt)));
  } else if (loss.kind === "mse") {
    per = tf.square(tf.sub(tf.sigmoid(z), y));
  } else {
    const pw = loss.posWeight === undefined ? tf.scalar(1) : tf.tensor1d(loss.posWeight);
    per = tf.neg(tf.add(tf.mul(tf.mul(pw, y), tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
  }
  const total = tf.sum(tf.mul(tf.mul(per, w), mask));
  return tf.div(total, tf.maximum(tf.sum(mask), 1));
}
