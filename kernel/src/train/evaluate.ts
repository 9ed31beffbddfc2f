/** Scores a saved run on a labelled source with the run's labelset and tuned thresholds. */
import { buildTrainData, readTrainSamples, type TrainSourceSpec } from "./train-data.js";
import { computeMetrics, type MultilabelMetrics } from "./metrics.js";
import { predict, type PredictOptions } from "./predict.js";
import { readRun } from "./run-folder.js";
import { TrainsetError } from "../util/errors.js";

/** Metrics at 0.5 (lx-ai) and at the run's tuned thresholds. */
export interface EvaluateResult {
  images: number;
  dropped_zero_positive: number;
  at_0_5: MultilabelMetrics;
  tuned: MultilabelMetrics;
}

/**
 * Evaluates a run on every image of a source (lx-ai's labelset rules apply).
 * @example const { tuned } = await evaluateRun("runs/r1", { kind: "legacy-jsonl", path: "test.jsonl" });
 */
export async function evaluateRun(runDir: string, source: TrainSourceSpec, options: PredictOptions & { treatUnlabeledAsNegative?: boolean } = {}): Promise<EvaluateResult> {
  const { meta } = await readRun(runDir);
  const data = buildTrainData(await readTrainSamples(source), meta.labelset, { treatUnlabeledAsNegative: options.treatUnlabeledAsNegative === true });
  if (data.images.length === 0) throw new TrainsetError("VALIDATION_ERROR", `Cannot evaluate on "${source.path}": no image has a label of "${meta.labelset.name}"`, { file: source.path });
  const preds = await predict(runDir, data.images, options);
  const labels = meta.used_label_names;
  const L = labels.length;
  const probs = { rows: preds.length, cols: L, data: Float32Array.from(preds.flatMap((p) => labels.map((l) => p.probabilities[l] ?? 0))) };
  const y = { rows: preds.length, cols: L, data: data.targets };
  const m = { rows: preds.length, cols: L, data: data.masks };
  const thresholds = labels.map((l) => meta.thresholds?.[l] ?? 0.5);
  return {
    images: data.images.length,
    dropped_zero_positive: data.droppedZeroPositive,
    at_0_5: computeMetrics(probs, y, m, labels),
    tuned: computeMetrics(probs, y, m, labels, thresholds),
  };
}
