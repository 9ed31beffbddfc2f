/**
 * lx-ai's multilabel metrics (threshold 0.5 by default, micro counts over known entries,
 * eps 1e-6, per-label values null when a label has no known entry), plus average precision
 * (scikit-learn's step-wise definition) and per-label thresholds tuned for F1.
 */
import type { LabelMatrix } from "./losses.js";

/** One label's figures; null where the label has no known entry (lx-ai). */
export interface LabelMetrics {
  label: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Positives among known entries. */
  support: number | null;
  /** Average precision; null without a known positive. */
  ap: number | null;
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** lx-ai's `test_metrics_final` plus macro figures and mAP. */
export interface MultilabelMetrics {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  macro_precision: number;
  macro_recall: number;
  macro_f1: number;
  /** Mean AP over labels that have one. */
  map: number;
  per_label: LabelMetrics[];
}

const EPS = 1e-6;

/**
 * Scores `probs` against `targets` where `masks` is 1 (known).
 * @example computeMetrics(probs, targets, masks, ["polyp", "blood"]).f1
 */
export function computeMetrics(
  probs: LabelMatrix,
  targets: LabelMatrix,
  masks: LabelMatrix,
  labels: readonly string[],
  thresholds?: ArrayLike<number>,
): MultilabelMetrics {
  const L = probs.cols;
  const per: LabelMetrics[] = [];
  let TP = 0, FP = 0, TN = 0, FN = 0;
  for (let j = 0; j < L; j++) {
    const th = thresholds?.[j] ?? 0.5;
    let tp = 0, fp = 0, tn = 0, fn = 0, known = 0;
    const scores: number[] = [];
    const truth: number[] = [];
    for (let i = 0; i < probs.rows; i++) {
      const k = i * L + j;
      if ((masks.data[k] ?? 0) <= 0) continue;
      known++;
      const p = probs.data[k] ?? 0;
      const y = (targets.data[k] ?? 0) >= 0.5;
      scores.push(p);
      truth.push(y ? 1 : 0);
      const pred = p >= th;
      if (pred && y) tp++;
      else if (pred) fp++;
      else if (y) fn++;
      else tn++;
    }
    TP += tp; FP += fp; TN += tn; FN += fn;
    const precision = tp / (tp + fp + EPS);
    const recall = tp / (tp + fn + EPS);
    per.push({
      label: labels[j] ?? `label_${j}`,
      precision: known === 0 ? null : precision,
      recall: known === 0 ? null : recall,
      f1: known === 0 ? null : (2 * precision * recall) / (precision + recall + EPS),
      support: known === 0 ? null : tp + fn,
      ap: averagePrecision(scores, truth),
      threshold: th,
      tp, fp, tn, fn,
    });
  }
  const precision = TP / (TP + FP + EPS);
  const recall = TP / (TP + FN + EPS);
  const mean = (xs: (number | null)[]): number => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length === 0 ? 0 : v.reduce((a, b) => a + b, 0) / v.length;
  };
  return {
    precision,
    recall,
    f1: (2 * precision * recall) / (precision + recall + EPS),
    accuracy: (TP + TN) / (TP + TN + FP + FN + EPS),
    tp: TP, fp: FP, tn: TN, fn: FN,
    macro_precision: mean(per.map((m) => m.precision)),
    macro_recall: mean(per.map((m) => m.recall)),
    macro_f1: mean(per.map((m) => m.f1)),
    map: mean(per.map((m) => m.ap)),
    per_label: per,
  };
}

/**
 * Average precision as scikit-learn computes it: `sum_n (R_n - R_{n-1}) P_n` over distinct
 * score thresholds, highest first; null when there is no positive.
 * @example averagePrecision([0.9, 0.1], [1, 0]) // 1
 */
export function averagePrecision(scores: readonly number[], truth: readonly number[]): number | null {
  const positives = truth.reduce((a, b) => a + b, 0);
  if (positives === 0) return null;
  const order = scores.map((_, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
  let tp = 0, fp = 0, prevRecall = 0, ap = 0;
  for (let n = 0; n < order.length; n++) {
    const i = order[n] ?? 0;
    if ((truth[i] ?? 0) > 0) tp++;
    else fp++;
    const next = order[n + 1];
    if (next !== undefined && scores[next] === scores[i]) continue;
    const recall = tp / positives;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

/**
 * Per-label thresholds that maximise F1 on known entries (tried at every distinct score);
 * 0.5 for a label without a known positive.
 * @example tuneThresholds(valProbs, valTargets, valMasks) // Float32Array of L thresholds
 */
export function tuneThresholds(probs: LabelMatrix, targets: LabelMatrix, masks: LabelMatrix): Float32Array {
  const L = probs.cols;
  const out = new Float32Array(L).fill(0.5);
  for (let j = 0; j < L; j++) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < probs.rows; i++) {
      const k = i * L + j;
      if ((masks.data[k] ?? 0) > 0) pairs.push([probs.data[k] ?? 0, (targets.data[k] ?? 0) >= 0.5 ? 1 : 0]);
    }
    const positives = pairs.reduce((a, p) => a + p[1], 0);
    if (positives === 0) continue;
    pairs.sort((a, b) => b[0] - a[0]);
    let tp = 0, fp = 0, best = -1;
    for (let n = 0; n < pairs.length; n++) {
      const [score, y] = pairs[n] ?? [0, 0];
      if (y > 0) tp++;
      else fp++;
      const next = pairs[n + 1];
      if (next !== undefined && next[0] === score) continue;
      const f1 = (2 * tp) / (2 * tp + fp + (positives - tp));
      if (f1 > best) {
        best = f1;
        out[j] = next === undefined ? score : (score + next[0]) / 2;
      }
    }
  }
  return out;
}
