/**
 * lx-ai's loss functions on plain arrays (reference + tests): per-label class weights and the
 * masked focal loss (`lx_ai/ai_model/losses.py`). The tfjs head uses the same formulas in
 * `head-model.ts`.
 */

/** A row-major N×L matrix. */
export interface LabelMatrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** Options for {@link focalLoss}. */
export interface FocalLossOptions {
  /** Balance of positives (default 0.25, lx-ai). */
  alpha?: number;
  /** Focusing exponent (default 2; 0 with alpha 0.5 is BCE/2). */
  gamma?: number;
  /** Per-label weights (default all 1). */
  weights?: Float32Array;
}

/** lx-ai's probability clamp. */
const EPS_P = 1e-6;

/**
 * lx-ai's class weights: `w_j = 1/(pos_j + 1e-6)` over known entries, divided by their mean.
 * @example computeClassWeights(targets, masks) // Float32Array of L weights with mean 1
 */
export function computeClassWeights(targets: LabelMatrix, masks: LabelMatrix): Float32Array {
  const L = targets.cols;
  const raw = new Float64Array(L);
  for (let j = 0; j < L; j++) {
    let pos = 0;
    for (let i = 0; i < targets.rows; i++) {
      const k = i * L + j;
      if ((masks.data[k] ?? 0) > 0) pos += targets.data[k] ?? 0;
    }
    raw[j] = 1 / (pos + 1e-6);
  }
  const mean = raw.reduce((a, b) => a + b, 0) / Math.max(L, 1);
  return Float32Array.from(raw, (w) => w / mean);
}

/**
 * The masked focal loss of lx-ai: `-a_t (1-pt)^g log(pt) w_j mask`, summed / max(sum(mask), 1),
 * with `p = clamp(sigmoid(z), 1e-6, 1-1e-6)`.
 * @example focalLoss(logits, targets, masks, { alpha: 0.25, gamma: 2 })
 */
export function focalLoss(
  logits: LabelMatrix,
  targets: LabelMatrix,
  masks: LabelMatrix,
  options: FocalLossOptions = {},
): number {
  const alpha = options.alpha ?? 0.25;
  const gamma = options.gamma ?? 2;
  const L = logits.cols;
  let sum = 0;
  let maskSum = 0;
  for (let k = 0; k < logits.data.length; k++) {
    const m = masks.data[k] ?? 0;
    maskSum += m;
    if (m === 0) continue;
    const y = targets.data[k] ?? 0;
    const p = Math.min(Math.max(sigmoid(logits.data[k] ?? 0), EPS_P), 1 - EPS_P);
    const pt = p * y + (1 - p) * (1 - y);
    const at = alpha * y + (1 - alpha) * (1 - y);
    const w = options.weights?.[k % L] ?? 1;
    sum += -at * Math.pow(1 - pt, gamma) * Math.log(pt) * w * m;
  }
  return sum / Math.max(maskSum, 1);
}

/**
 * Masked, weighted binary cross-entropy (optionally with `posWeight` per label, as PyTorch's
 * `BCEWithLogitsLoss(pos_weight=…)`), summed / max(sum(mask), 1).
 * @example bceLoss(logits, targets, masks)
 */
export function bceLoss(
  logits: LabelMatrix,
  targets: LabelMatrix,
  masks: LabelMatrix,
  options: { weights?: Float32Array; posWeight?: Float32Array } = {},
): number {
  const L = logits.cols;
  let sum = 0;
  let maskSum = 0;
  for (let k = 0; k < logits.data.length; k++) {
    const m = masks.data[k] ?? 0;
    maskSum += m;
    if (m === 0) continue;
    const y = targets.data[k] ?? 0;
    const p = Math.min(Math.max(sigmoid(logits.data[k] ?? 0), EPS_P), 1 - EPS_P);
    const pw = options.posWeight?.[k % L] ?? 1;
    const w = options.weights?.[k % L] ?? 1;
    sum += -(pw * y * Math.log(p) + (1 - y) * Math.log(1 - p)) * w * m;
  }
  return sum / Math.max(maskSum, 1);
}

/** The logistic function. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
