/**
 * Labeling advice (seed 004's LabelingFocusAdvisor): the rating distribution over Low (< 0.3),
 * Medium (< 0.7) and High buckets with underrepresented and skew warnings; per-label positives of a
 * multilabel dataset with under-represented labels flagged; and, when a model exists, the unlabeled
 * frames ranked by model uncertainty (active learning). The analyses are pure.
 */
import type { RawSample } from "../train/train-data.js";

/** The seed's bucket names. */
export const RATING_BUCKETS = ["Low (0-0.3)", "Medium (0.3-0.7)", "High (0.7-1.0)"] as const;

/** Seed 004 LabelingAdviceDto. */
export interface LabelingAdvice {
  totalAnnotations: number;
  averageRating: number;
  minRating: number;
  maxRating: number;
  ratingDistribution: Record<(typeof RATING_BUCKETS)[number], number>;
  recommendations: string[];
  focusAreas: string[];
  warnings: string[];
}

const pct = (n: number, total: number): number => (total === 0 ? 0 : (n / total) * 100);

/**
 * Analyses ratings like Aura's advisor: warnings when Low or High is under 20 % and when
 * |Low% - High%| > 40 (heavily skewed), with matching recommendations and focus areas.
 * @example adviseOnRatings([0.9, 0.8, 0.2]).ratingDistribution["High (0.7-1.0)"] // 2
 */
export function adviseOnRatings(ratings: readonly number[]): LabelingAdvice {
  const total = ratings.length;
  const dist = { "Low (0-0.3)": 0, "Medium (0.3-0.7)": 0, "High (0.7-1.0)": 0 };
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const r of ratings) {
    sum += r;
    min = Math.min(min, r);
    max = Math.max(max, r);
    if (r < 0.3) dist["Low (0-0.3)"]++;
    else if (r < 0.7) dist["Medium (0.3-0.7)"]++;
    else dist["High (0.7-1.0)"]++;
  }
  const warnings: string[] = [];
  const recommendations: string[] = [];
  const focusAreas: string[] = [];
  if (total === 0) {
    return {
      totalAnnotations: 0,
      averageRating: 0,
      minRating: 0,
      maxRating: 0,
      ratingDistribution: dist,
      recommendations: ["Start by annotating at least 20 frames across low, medium and high importance"],
      focusAreas: ["Diverse scene types"],
      warnings: ["No annotations found"],
    };
  }
  const low = pct(dist["Low (0-0.3)"], total);
  const high = pct(dist["High (0.7-1.0)"], total);
  if (total < 20) {
    warnings.push(`Only ${total} annotations - minimum 20 required for training, 100+ recommended`);
    recommendations.push(`Annotate at least ${20 - total} more frames before training`);
  }
  if (low < 20) {
    warnings.push(`Low importance frames are underrepresented (${low.toFixed(0)}% of annotations)`);
    recommendations.push("Annotate more low-importance frames (static scenes, filler, blurry or redundant shots)");
    focusAreas.push("Static scenes");
  }
  if (high < 20) {
    warnings.push(`High importance frames are underrepresented (${high.toFixed(0)}% of annotations)`);
    recommendations.push("Annotate more high-importance frames (key moments, faces, action)");
    focusAreas.push("High-motion scenes");
  }
  if (Math.abs(low - high) > 40) {
    const toward = low > high ? "low" : "high";
    warnings.push(`Rating distribution is heavily skewed toward ${toward} importance (Low ${low.toFixed(0)}%, High ${high.toFixed(0)}%)`);
    recommendations.push(`Balance the dataset with more ${toward === "low" ? "high" : "low"}-importance frames`);
    focusAreas.push("Scene transitions");
  }
  recommendations.push("Ensure annotations cover frames from beginning, middle, and end of videos");
  recommendations.push("Include frames with varying lighting conditions and visual complexity");
  if (focusAreas.length === 0) focusAreas.push("Diverse scene types", "Various visual characteristics");
  return { totalAnnotations: total, averageRating: sum / total, minRating: min, maxRating: max, ratingDistribution: dist, recommendations, focusAreas, warnings };
}

/** Positives of one label in a multilabel dataset. */
export interface LabelBalance {
  label: string;
  positives: number;
  /** Known negatives (frame tables list them; COCO and legacy lists imply them). */
  negatives: number;
  /** Images without annotation for this label. */
  unknown: number;
  underRepresented: boolean;
}

/** Per-label advice for a multilabel dataset. */
export interface MultilabelAdvice {
  images: number;
  /** Images with no labels at all (candidates for labeling). */
  unlabeledImages: number;
  labels: LabelBalance[];
  warnings: string[];
  recommendations: string[];
}

/** Options for {@link adviseOnLabels}. */
export interface MultilabelAdviceOptions {
  /** Labels to report even with zero positives (default: those seen). */
  labels?: readonly string[];
  /** A label with fewer positives is flagged (default 10). */
  minPositives?: number;
  /** A label with fewer positives than this fraction of the most frequent one is flagged (default 0.1). */
  minRatio?: number;
}

/**
 * Counts positives per label and flags the under-represented ones.
 * @example adviseOnLabels(await readTrainSamples({ kind: "coco", path: "dataset.json" })).labels
 */
export function adviseOnLabels(samples: readonly RawSample[], options: MultilabelAdviceOptions = {}): MultilabelAdvice {
  const minPositives = options.minPositives ?? 10;
  const minRatio = options.minRatio ?? 0.1;
  const names = new Set<string>(options.labels ?? []);
  for (const s of samples) for (const l of [...(s.positives ?? []), ...(s.negatives ?? [])]) names.add(l);
  const pos = new Map<string, number>();
  const neg = new Map<string, number>();
  let unlabeled = 0;
  for (const s of samples) {
    if (s.positives === null) {
      unlabeled++;
      continue;
    }
    const p = new Set(s.positives);
    const explicitNeg = s.negatives === undefined ? undefined : new Set(s.negatives);
    for (const l of names) {
      if (p.has(l)) pos.set(l, (pos.get(l) ?? 0) + 1);
      else if (explicitNeg === undefined || explicitNeg.has(l)) neg.set(l, (neg.get(l) ?? 0) + 1);
    }
  }
  const maxPos = Math.max(0, ...[...names].map((l) => pos.get(l) ?? 0));
  const labels = [...names].sort().map((label) => {
    const positives = pos.get(label) ?? 0;
    const negatives = neg.get(label) ?? 0;
    return { label, positives, negatives, unknown: samples.length - positives - negatives, underRepresented: positives < minPositives || positives < maxPos * minRatio };
  });
  const flagged = labels.filter((l) => l.underRepresented);
  const warnings = flagged.map((l) => {
    const why = l.positives < minPositives ? `fewer than ${minPositives}` : `under ${Math.round(minRatio * 100)}% of the most frequent label's ${maxPos}`;
    return `Label "${l.label}" is under-represented: ${l.positives} positive${l.positives === 1 ? "" : "s"} (${why})`;
  });
  const recommendations = flagged.length === 0 ? ["Label balance is fine; keep every label above " + String(minPositives) + " positives as the dataset grows"] : [`Find and label more frames showing: ${flagged.map((l) => l.label).join(", ")}`];
  if (unlabeled > 0) recommendations.push(`${unlabeled} image${unlabeled === 1 ? " has" : "s have"} no labels yet; label them (see the uncertainty ranking when a model exists)`);
  return { images: samples.length, unlabeledImages: unlabeled, labels, warnings, recommendations };
}

/** One frame's model scores. */
export interface ScoredFrame {
  image: string;
  /** Label (or `importance`) → probability in 0..1. */
  probabilities: Record<string, number>;
}

/** A frame to label next, most uncertain first. */
export interface UncertainFrame {
  image: string;
  /** Mean binary entropy of the model's outputs, in bits (1 = a coin toss on every label). */
  uncertainty: number;
  /** The label the model is least sure about. */
  mostUncertainLabel: string;
}

function entropyBits(p: number): number {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  return -(q * Math.log2(q) + (1 - q) * Math.log2(1 - q));
}

/**
 * Ranks frames by model uncertainty (mean binary entropy over outputs) and keeps the top N.
 * @example rankByUncertainty(await predict(run, unlabeled), 20)
 */
export function rankByUncertainty(frames: readonly ScoredFrame[], topN = 20): UncertainFrame[] {
  const scored = frames.map((f) => {
    const entries = Object.entries(f.probabilities);
    let sum = 0;
    let worst = { label: "", h: -1 };
    for (const [label, p] of entries) {
      const h = entropyBits(p);
      sum += h;
      if (h > worst.h) worst = { label, h };
    }
    return { image: f.image, uncertainty: entries.length === 0 ? 0 : sum / entries.length, mostUncertainLabel: worst.label };
  });
  scored.sort((a, b) => b.uncertainty - a.uncertainty || a.image.localeCompare(b.image));
  return scored.slice(0, Math.max(0, topN));
}
