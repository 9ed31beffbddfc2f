/**
 * The shape, weights and loss settings of a trainable head, as plain data. Kept apart from the
 * tfjs model so the public types (and every notebook cell's type check) do not pull in tfjs.
 */

/** Shape of a head. */
export interface HeadSpec {
  kind: "linear" | "mlp";
  inputDim: number;
  outputDim: number;
  hiddenUnits: number;
  dropout: number;
  /** Linear heads only: false keeps the bias at 0 (a Bradley–Terry score needs none). Default true. */
  bias?: boolean;
}

/** Weights of a head as plain arrays (what is saved). */
export interface HeadWeights {
  spec: HeadSpec;
  /** Name → {shape, values}; names `w1,b1` (+ `w2,b2` for mlp). */
  tensors: { name: string; shape: number[]; values: Float32Array }[];
}

/** Loss settings for `HeadModel.trainBatch`. */
export interface HeadLoss {
  /** `mse` compares sigmoid(z) with targets in 0..1 (regression heads). */
  kind: "focal" | "bce" | "mse";
  alpha: number;
  gamma: number;
  weights: Float32Array;
  posWeight?: Float32Array;
}
