/**
 * `trainset advice`: the rating analysis of a user's annotations, the per-label balance of a
 * multilabel dataset, and the frames to label next ranked by the active model's uncertainty.
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { LX_AI_JSONL_LABELS } from "../formats/legacy-jsonl.js";
import { readTrainSamples, type TrainSourceSpec } from "../train/train-data.js";
import type { Prediction } from "../train/predict.js";
import type { RunControl } from "../util/run-control.js";
import { ModelRegistry } from "../models/model-registry.js";
import { getAnnotations } from "./annotation-store.js";
import { adviseOnLabels, adviseOnRatings, rankByUncertainty, type LabelingAdvice, type MultilabelAdvice, type UncertainFrame } from "./labeling-advice.js";

/** Scores images with a model folder; injectable for tests. */
export type FrameScorer = (modelDir: string, images: readonly string[], control: RunControl) => Promise<Prediction[]>;

/** Options for {@link labelingAdvice}. */
export interface LabelingAdviceOptions extends RunControl {
  /** Whose ratings are analysed (default `default-user`). */
  user?: string;
  /** A multilabel dataset to analyse per label. */
  dataset?: TrainSourceSpec;
  /** Frames that could be labeled next (default: the dataset's unlabeled images). */
  candidates?: readonly string[];
  /** Model folder to rank candidates with (default: the registry's active `model`). */
  modelDir?: string;
  /** Registry model name (default `frame-importance`). */
  model?: string;
  /** How many frames to list (default 20). */
  topN?: number;
  /** Default: `model.onnx` via onnxruntime when the folder has one, else the run's head. */
  scorer?: FrameScorer;
}

/** Everything `trainset advice` reports. */
export interface LabelingAdviceReport {
  ratings: LabelingAdvice;
  labels?: MultilabelAdvice;
  /** Frames to label next, most uncertain first (absent without a model or candidates). */
  labelNext?: UncertainFrame[];
  /** Why no ranking was made, when none was. */
  labelNextNote?: string;
  modelDir?: string;
}

/** Scores with `model.onnx` when present, else the run folder's head. */
export const defaultScorer: FrameScorer = async (modelDir, images, control) => {
  const onnx = join(modelDir, "model.onnx");
  if (await stat(onnx).then(() => true, () => false)) {
    const { predictWithOnnx } = await import("../train/onnx-predict.js");
    return predictWithOnnx(onnx, images, control);
  }
  const { predict } = await import("../train/predict.js");
  return predict(modelDir, images, control);
};

/**
 * Builds the full advice report.
 * @example const r = await labelingAdvice(root, { dataset: { kind: "coco", path: "dataset.json" }, topN: 10 });
 */
export async function labelingAdvice(root: string, options: LabelingAdviceOptions = {}): Promise<LabelingAdviceReport> {
  const user = options.user ?? "default-user";
  const { annotations } = await getAnnotations(root, user);
  const report: LabelingAdviceReport = { ratings: adviseOnRatings(annotations.map((a) => a.rating)) };
  let candidates = options.candidates === undefined ? undefined : [...options.candidates];
  if (options.dataset !== undefined) {
    const samples = await readTrainSamples(options.dataset);
    report.labels = adviseOnLabels(samples, options.dataset.kind === "legacy-jsonl" ? { labels: LX_AI_JSONL_LABELS } : {});
    candidates ??= samples.filter((s) => s.positives === null).map((s) => s.image);
  }
  if (candidates === undefined) return report;
  const rated = new Set(annotations.map((a) => resolve(a.framePath)));
  candidates = candidates.filter((c) => !rated.has(resolve(c)));
  if (candidates.length === 0) return { ...report, labelNextNote: "every candidate frame is already labeled" };
  const modelDir = options.modelDir ?? (await (await ModelRegistry.open(root)).activeModelPath(options.model ?? "frame-importance"));
  if (modelDir === undefined) return { ...report, labelNextNote: "no model is deployed yet: train and deploy one to rank frames by uncertainty" };
  const predictions = await (options.scorer ?? defaultScorer)(modelDir, candidates, options);
  return { ...report, modelDir, labelNext: rankByUncertainty(predictions, options.topN ?? 20) };
}
