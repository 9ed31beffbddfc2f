/** A smoke inference of a saved head without tfjs: its weights applied to one embedding. */
import type { HeadWeights } from "../train/head-spec.js";

function tensor(w: HeadWeights, name: string): { shape: number[]; values: Float32Array } {
  const t = w.tensors.find((x) => x.name === name);
  if (t === undefined) throw new Error(`tensor ${name} is missing`);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.values.length !== n) throw new Error(`tensor ${name} has ${t.values.length} values for shape [${t.shape.join(",")}]`);
  return t;
}

function dense(x: Float32Array, w: { shape: number[]; values: Float32Array }, b: { values: Float32Array }): Float32Array {
  const [rows = 0, cols = 0] = w.shape;
  if (rows !== x.length) throw new Error(`weights expect ${rows} inputs, got ${x.length}`);
  if (b.values.length !== cols) throw new Error(`bias has ${b.values.length} values for ${cols} outputs`);
  const out = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    let s = b.values[j] ?? 0;
    for (let i = 0; i < rows; i++) s += (x[i] ?? 0) * (w.values[i * cols + j] ?? 0);
    out[j] = s;
  }
  return out;
}

/**
 * Runs the head on one deterministic embedding and checks the outputs are finite.
 * @example smokeHead(weights) // "linear 512->3 gave 3 finite logits"
 */
export function smokeHead(weights: HeadWeights, sample?: Float32Array): string {
  const { spec } = weights;
  const x = sample ?? Float32Array.from({ length: spec.inputDim }, (_, i) => Math.sin(i + 1) * 0.1);
  let z = dense(x, tensor(weights, "w1"), tensor(weights, "b1"));
  if (spec.kind === "mlp") {
    z = z.map((v) => Math.max(0, v));
    z = dense(z, tensor(weights, "w2"), tensor(weights, "b2"));
  }
  if (z.length !== spec.outputDim) throw new Error(`head gave ${z.length} outputs, spec says ${spec.outputDim}`);
  if (!z.every(Number.isFinite)) throw new Error("head gave a non-finite output");
  return `${spec.kind} ${spec.inputDim}->${spec.outputDim} gave ${z.length} finite logits`;
}
