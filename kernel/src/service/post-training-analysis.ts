/**
 * Post-training analysis (seed 004's PostTrainingAnalysisService) on real numbers: the validation
 * loss in the seed's bands, the sample count, duration vs the preflight estimate, a quality score
 * and Accept / Accept with caution / Revert, plus a comparison with the active model's metrics.
 * `analyzeTraining` is pure; `analyzeRun` reads a run folder and the registry.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ioError, TrainsetError } from "../util/errors.js";
import { ModelRegistry } from "../models/model-registry.js";
import { greaterIsBetterFor, runMetrics } from "../models/model-version.js";
import { estimateTrainingMinutes } from "./preflight.js";

/** Seed 004's recommendation values. */
export type TrainingRecommendation = "Accept" | "Accept with caution" | "Revert";

/** What a training run produced. */
export interface TrainingOutcome {
  /** Validation loss when the run has one, else the final training loss. */
  trainingLoss: number;
  trainingSamples: number;
  trainingDurationSeconds: number;
  annotationCount: number;
  hadGpu: boolean;
  /** Preflight's estimate; default computed from the count (16 GB RAM assumed). */
  estimatedTimeMinutes?: number;
  /** Flat metrics of the run (`test.mae`…), for the comparison with the active model. */
  metrics?: Record<string, number>;
}

/** The active model to compare with. */
export interface ActiveComparisonInput {
  version: string;
  metrics: Record<string, number>;
  /** Metric whose change counts in the score (default: every shared metric is listed, none scored). */
  gateMetric?: { name: string; greaterIsBetter: boolean };
}

/** One metric compared with the active model. */
export interface MetricComparison {
  metric: string;
  candidate: number;
  active: number;
  /** candidate - active. */
  delta: number;
  better: boolean;
}

/** Seed 004 PostTrainingAnalysisDto plus the comparison. */
export interface PostTrainingAnalysis {
  trainingLoss: number;
  trainingSamples: number;
  trainingDurationSeconds: number;
  annotationCount: number;
  hadGpu: boolean;
  actualTimeMinutes: number;
  estimatedTimeMinutes: number;
  qualityScore: number;
  observations: string[];
  warnings: string[];
  concerns: string[];
  summary: string;
  recommendation: TrainingRecommendation;
  nextSteps: string[];
  comparedWith?: { version: string; metrics: MetricComparison[] };
}

const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

/** Counts (`test.count`) and baselines (`test_baseline.mae`) describe the data, not the model: no verdict. */
function isVerdictMetric(metric: string): boolean {
  return !metric.endsWith(".count") && !metric.startsWith("test_baseline.");
}

/**
 * Scores a run like Aura: loss < 0.1 +30, < 0.3 +20, < 0.5 +10, < 0.7 -10 (warning), else -30
 * (concern); samples < 20 -20 (concern), < 50 -10 (warning), < 100 +10, else +20; slower than 2x the
 * estimate is a warning; a gate metric worse than the active model's -10 (warning), better +10.
 * Revert on any concern or score < -20; Accept with caution on any warning or score < 20.
 * @example analyzeTraining({ trainingLoss: 0.08, trainingSamples: 100, trainingDurationSeconds: 300, annotationCount: 100, hadGpu: true }).recommendation
 */
export function analyzeTraining(outcome: TrainingOutcome, active?: ActiveComparisonInput): PostTrainingAnalysis {
  const observations: string[] = [];
  const warnings: string[] = [];
  const concerns: string[] = [];
  let score = 0;
  const loss = outcome.trainingLoss;
  if (!Number.isFinite(loss)) {
    concerns.push("Training loss is not a finite number - training diverged");
    score -= 30;
  } else if (loss < 0.1) {
    observations.push("Excellent training loss - model learned patterns effectively");
    score += 30;
  } else if (loss < 0.3) {
    observations.push("Good training loss - model learned meaningful patterns");
    score += 20;
  } else if (loss < 0.5) {
    observations.push("Moderate training loss - model learned some patterns");
    score += 10;
  } else if (loss < 0.7) {
    warnings.push(`High training loss (${round(loss, 3)}) - model may not have learned well`);
    score -= 10;
  } else {
    concerns.push(`Very high training loss (${round(loss, 3)}) - model did not learn effectively`);
    score -= 30;
  }
  const n = outcome.trainingSamples;
  if (n < 20) {
    concerns.push(`Insufficient training samples (${n}) - minimum 20 required`);
    score -= 20;
  } else if (n < 50) {
    warnings.push(`Limited training samples (${n}) - 100+ recommended`);
    score -= 10;
  } else if (n < 100) {
    observations.push(`Adequate sample size (${n}) - more data would help`);
    score += 10;
  } else {
    observations.push("Excellent sample size - model has sufficient data");
    score += 20;
  }
  const estimated = outcome.estimatedTimeMinutes ?? estimateTrainingMinutes(outcome.annotationCount, { ...(outcome.hadGpu ? { gpu: { name: "GPU", vramBytes: 4 * 1024 ** 3, count: 1 } } : {}), ramBytes: 16 * 1024 ** 3 });
  const actual = outcome.trainingDurationSeconds / 60;
  if (actual > 2 * estimated) warnings.push(`Training took ${round(actual, 1)} minutes, more than twice the estimate (${round(estimated, 1)} minutes)`);
  else observations.push(`Training took ${round(actual, 1)} minutes (estimate ${round(estimated, 1)})`);
  if (!outcome.hadGpu) observations.push("Trained on CPU");
  let comparedWith: PostTrainingAnalysis["comparedWith"];
  if (active !== undefined && outcome.metrics !== undefined) {
    const metrics: MetricComparison[] = [];
    for (const [metric, candidate] of Object.entries(outcome.metrics)) {
      const a = active.metrics[metric];
      if (a === undefined || !isVerdictMetric(metric)) continue;
      const greater = active.gateMetric?.name === metric ? active.gateMetric.greaterIsBetter : greaterIsBetterFor(metric);
      const delta = candidate - a;
      metrics.push({ metric, candidate, active: a, delta, better: greater ? delta > 0 : delta < 0 });
    }
    comparedWith = { version: active.version, metrics };
    const gate = active.gateMetric === undefined ? undefined : metrics.find((m) => m.metric === active.gateMetric?.name);
    if (gate !== undefined && gate.delta !== 0) {
      const text = `${gate.metric} ${round(gate.candidate, 4)} vs ${round(gate.active, 4)} for the active ${active.version}`;
      if (gate.better) {
        observations.push(`Better than the active model: ${text}`);
        score += 10;
      } else {
        warnings.push(`Worse than the active model: ${text}`);
        score -= 10;
      }
    }
  }
  const recommendation: TrainingRecommendation = concerns.length > 0 || score < -20 ? "Revert" : warnings.length > 0 || score < 20 ? "Accept with caution" : "Accept";
  const summary =
    recommendation === "Accept"
      ? "Training completed successfully with good results. The model should improve frame importance scoring."
      : recommendation === "Accept with caution"
        ? "Training completed with acceptable results but some warnings. Test the model carefully before relying on it."
        : "Training results are below acceptable quality. The model may not improve, or could degrade, frame selection.";
  const nextSteps =
    recommendation === "Accept"
      ? ["Deploy the model for general use", "Monitor performance on real videos", "Continue collecting annotations to further improve the model"]
      : recommendation === "Accept with caution"
        ? ["Test the model on a few videos before deploying widely", "Address the warnings above", "Collect more annotations and retrain"]
        : ["Revert to the previous or default model", "Collect more and more balanced annotations (see `trainset advice`)", "Retrain once the concerns are addressed"];
  return {
    trainingLoss: loss,
    trainingSamples: n,
    trainingDurationSeconds: outcome.trainingDurationSeconds,
    annotationCount: outcome.annotationCount,
    hadGpu: outcome.hadGpu,
    actualTimeMinutes: round(actual),
    estimatedTimeMinutes: round(estimated),
    qualityScore: score,
    observations,
    warnings,
    concerns,
    summary,
    recommendation,
    nextSteps,
    ...(comparedWith === undefined ? {} : { comparedWith }),
  };
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Reads what analysis needs from a run's `meta.json` (trainset multilabel or frame-importance runs). */
export function outcomeFromRunMeta(meta: Record<string, unknown>): TrainingOutcome {
  const metrics = runMetrics(meta);
  const data = (meta.data ?? {}) as Record<string, unknown>;
  const splits = (data.splits ?? {}) as Record<string, unknown>;
  const backend = (meta.backend ?? {}) as Record<string, unknown>;
  const loss = metrics["final.val_loss"] ?? metrics["val.loss"] ?? metrics["final.train_loss"];
  if (loss === undefined) {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot analyse run "${String(meta.run_id)}": its meta.json has no validation or training loss`, { field: "history" });
  }
  const annotationCount = num(data.frames) ?? num(data.images) ?? 0;
  return {
    trainingLoss: loss,
    trainingSamples: num(splits.train) ?? annotationCount,
    trainingDurationSeconds: num(meta.seconds) ?? 0,
    annotationCount,
    hadGpu: /gpu|cuda/i.test(`${String(backend.package)} ${String(backend.tfjs)}`),
    metrics,
  };
}

/** Options for {@link analyzeRun}. */
export interface AnalyzeRunOptions {
  /** Store root whose registry holds the active model to compare with. */
  root?: string;
  /** Model name in the registry (default `frame-importance`). */
  model?: string;
  estimatedTimeMinutes?: number;
  /**
   * The training job that made the run: when the active version came from this job (it deployed),
   * the comparison is with the version active before it (the pointer's `previous`), else none.
   */
  jobId?: string;
  /** Version to compare with, overriding the active one; `null` skips the comparison. */
  compareWith?: string | null;
}

/** The registry version to compare a run with: `compareWith`, else the active one unless this job deployed it. */
async function comparisonTarget(registry: ModelRegistry, model: string, options: AnalyzeRunOptions): Promise<ActiveComparisonInput | undefined> {
  let version: string | undefined;
  if (options.compareWith !== undefined) version = options.compareWith ?? undefined;
  else {
    const pointer = await registry.getActive(model);
    if (pointer === undefined) return undefined;
    const activeJob = (await registry.getVersion(model, pointer.version)).jobId;
    version = options.jobId !== undefined && activeJob === options.jobId ? pointer.previous : pointer.version;
  }
  if (version === undefined) return undefined;
  const v = await registry.getVersion(model, version);
  return { version: v.version, metrics: v.metrics, ...(v.gateMetric === undefined ? {} : { gateMetric: v.gateMetric }) };
}

/**
 * Analyses a finished run folder and compares it with the registry's active model (or, when the
 * run's own job deployed it, with the version that was active before).
 * @example const a = await analyzeRun(".trainset/runs/r7", { root: ".trainset" }); a.recommendation
 */
export async function analyzeRun(runDir: string, options: AnalyzeRunOptions = {}): Promise<PostTrainingAnalysis> {
  const file = join(runDir, "meta.json");
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw ioError("read run", file, error);
  }
  if (meta.status !== "completed") {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot analyse run "${runDir}": analysis is only available for completed runs (status ${JSON.stringify(meta.status)})`, { file, field: "status" });
  }
  const outcome = { ...outcomeFromRunMeta(meta), ...(options.estimatedTimeMinutes === undefined ? {} : { estimatedTimeMinutes: options.estimatedTimeMinutes }) };
  let active: ActiveComparisonInput | undefined;
  if (options.root !== undefined) {
    active = await comparisonTarget(await ModelRegistry.open(options.root), options.model ?? "frame-importance", options);
  }
  return analyzeTraining(outcome, active);
}
