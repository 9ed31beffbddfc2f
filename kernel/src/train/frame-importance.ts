/**
 * `trainFrameImportance()`: seed 004's frame-importance model as a regression head on the same
 * cached embeddings as the multilabel head. Targets are 0–1 ratings, the head outputs
 * sigmoid(z), trained with MSE (or soft-target BCE); held-out MAE, RMSE and Spearman's rho.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { TrainsetError } from "../util/errors.js";
import { openJsonlAppender } from "../util/jsonl.js";
import type { RunControl } from "../util/run-control.js";
import type { BackboneSpec } from "./backbone.js";
import { fitHead, gatherRows } from "./head-fit.js";
import { HeadModel, type HeadWeights } from "./head-model.js";
import { readImportanceData, type ImportanceSource } from "./importance-items.js";
import { sigmoid } from "./losses.js";
import { regressionMetrics, type RegressionMetrics } from "./regression-metrics.js";
import { writeHeadFiles, type RunOnnxInfo } from "./run-folder.js";
import { exportRunModel } from "./run-model-export.js";
import { claimRunDir, embedForTask, splitRowsByGroup, type TaskRunMetaBase } from "./task-run.js";
import { selectTfBackend, type TfBackendChoice } from "./tf-backend.js";

/** Everything `trainFrameImportance()` needs; optional fields document their defaults. */
export interface FrameImportanceConfig {
  source: ImportanceSource;
  backbone: BackboneSpec;
  /** Parent of run folders. */
  runsDir: string;
  /** Default `<timestamp>-importance-s<seed>`. */
  runId?: string;
  /** Embeddings cache (default: none). */
  cacheDir?: string;
  /** Default `linear`. */
  head?: "linear" | "mlp";
  /** MLP hidden units (default 64) and dropout (default 0). */
  hiddenUnits?: number;
  dropout?: number;
  /** On sigmoid(head) vs rating (default `mse`). */
  loss?: "mse" | "bce";
  /** Default 50. */
  numEpochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** AdamW base rate (default 1e-2), warmup epochs (2) then cosine to `minLr` (1e-5). */
  lr?: number;
  warmupEpochs?: number;
  minLr?: number;
  /** Default 0.01. */
  weightDecay?: number;
  /** By group (default 0.2 / 0.1). */
  valSplit?: number;
  testSplit?: number;
  /** Default 42. */
  seed?: number;
  /** Default `auto`. */
  tfBackend?: TfBackendChoice;
  /** Fewer distinct rated frames throw VALIDATION_ERROR (default 3). */
  minItems?: number;
}

/** One finished epoch. */
export interface ImportanceEpochEvent {
  epoch: number;
  epochs: number;
  lr: number;
  train_loss: number;
  val_mae: number | null;
  val_rmse: number | null;
  val_spearman: number | null;
  seconds: number;
  eta_seconds: number;
}

/** Callbacks of {@link trainFrameImportance}. */
export interface FrameImportanceControl extends RunControl {
  onEpoch?: (event: ImportanceEpochEvent) => void;
}

/** `meta.json` of a frame-importance run. */
export interface ImportanceRunMeta extends TaskRunMetaBase {
  task: "frame-importance";
  data: { frames: number; duplicates_merged: number; splits: { train: number; val: number; test: number }; embedding_dim: number; cache_hits: number; embedded: number; mean_rating: number };
  history: { train_loss: number[]; val_mae: (number | null)[]; val_spearman: (number | null)[]; lr: number[] };
  val_metrics?: RegressionMetrics;
  test_metrics?: RegressionMetrics;
  /** MAE of always predicting the train split's mean rating, on test: the bar to beat. */
  test_baseline_mae?: number | null;
  onnx?: RunOnnxInfo;
  seconds?: number;
}

/** What `trainFrameImportance()` returns. */
export interface FrameImportanceResult {
  runDir: string;
  meta: ImportanceRunMeta;
}

const DEFAULTS = { head: "linear", hiddenUnits: 64, dropout: 0, loss: "mse", numEpochs: 50, batchSize: 32, lr: 1e-2, warmupEpochs: 2, minLr: 1e-5, weightDecay: 0.01, valSplit: 0.2, testSplit: 0.1, seed: 42, tfBackend: "auto", minItems: 3 } as const;

function checkConfig(c: Required<Omit<FrameImportanceConfig, "runId" | "cacheDir">>): void {
  const bad = (field: string, what: string): never => {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot train frame importance: ${field} ${what}`, { field });
  };
  for (const k of ["numEpochs", "batchSize", "minItems"] as const) if (!Number.isInteger(c[k]) || c[k] < 1) bad(k, `must be a whole number >= 1, got ${JSON.stringify(c[k])}`);
  for (const k of ["lr", "minLr", "weightDecay", "valSplit", "testSplit", "dropout"] as const) if (!Number.isFinite(c[k]) || c[k] < 0) bad(k, `must be a number >= 0, got ${JSON.stringify(c[k])}`);
  if (c.valSplit + c.testSplit >= 1) bad("valSplit + testSplit", "must be below 1");
  if (c.head !== "linear" && c.head !== "mlp") bad("head", `must be linear or mlp, got ${JSON.stringify(c.head)}`);
  if (c.loss !== "mse" && c.loss !== "bce") bad("loss", `must be mse or bce, got ${JSON.stringify(c.loss)}`);
}

function scores(head: HeadModel, x: Float32Array, n: number): Float32Array {
  return head.predictLogits(x, n).map(sigmoid);
}

/**
 * Trains the frame-importance head and writes `runs/<run_id>/` (meta.json, history.jsonl, head
 * weights, model.onnx or head.onnx). Aborting stops between batches, writes the folder marked
 * `cancelled` and rejects with ABORTED.
 * @example const { meta } = await trainFrameImportance({ source: { annotations: "annotations.jsonl" }, backbone: { kind: "builtin" }, runsDir: "runs" });
 */
export async function trainFrameImportance(config: FrameImportanceConfig, control: FrameImportanceControl = {}): Promise<FrameImportanceResult> {
  const started = Date.now();
  const c = { ...DEFAULTS, ...config };
  checkConfig(c);
  const backend = await selectTfBackend(c.tfBackend);
  const data = await readImportanceData(c.source);
  const N = data.images.length;
  if (N < c.minItems) throw new TrainsetError("VALIDATION_ERROR", `Cannot train frame importance: ${N} rated frames, at least ${c.minItems} needed`, { field: "source" });
  const [trainRows, valRows, testRows] = splitRowsByGroup(data.groups, c.valSplit, c.testSplit, c.seed);
  if (trainRows.length === 0) throw new TrainsetError("VALIDATION_ERROR", "Cannot train frame importance: the train split is empty");
  const { runId, runDir } = await claimRunDir(c.runsDir, c.runId, "importance", c.seed);
  const emb = await embedForTask(data.images, c.backbone, c.cacheDir, control);
  await tf.setBackend(backend.name);
  const D = emb.dim;
  const target = (rows: number[]): Float32Array => Float32Array.from(rows, (r) => data.ratings[r] ?? 0);
  const set = (rows: number[]): { x: Float32Array; y: Float32Array; rows: number } => ({ x: gatherRows(emb.features, D, rows), y: target(rows), rows: rows.length });
  const train = set(trainRows);
  const val = set(valRows);
  const test = set(testRows);
  const head = new HeadModel({ kind: c.head, inputDim: D, outputDim: 1, hiddenUnits: c.hiddenUnits, dropout: c.dropout }, c.seed);
  const { source, ...rest } = c;
  const history: ImportanceRunMeta["history"] = { train_loss: [], val_mae: [], val_spearman: [], lr: [] };
  const meta: ImportanceRunMeta = {
    run_id: runId,
    task: "frame-importance",
    status: "running",
    config: { ...rest, source: "items" in source ? { items: source.items.length } : source },
    backend: { tfjs: backend.name, package: backend.package, backbone: emb.backboneName },
    data: {
      frames: N,
      duplicates_merged: data.duplicatesMerged,
      splits: { train: trainRows.length, val: valRows.length, test: testRows.length },
      embedding_dim: D,
      cache_hits: emb.cacheHits,
      embedded: emb.computed,
      mean_rating: data.ratings.reduce((a, b) => a + b, 0) / N,
    },
    history,
  };
  await mkdir(runDir, { recursive: true });
  await writeJsonAtomic(join(runDir, "meta.json"), meta);
  const appender = await openJsonlAppender(join(runDir, "history.jsonl"));
  let fit;
  try {
    fit = await fitHead(head, train, {
      loss: { kind: c.loss, alpha: 0.5, gamma: 0, weights: Float32Array.of(1) },
      numEpochs: c.numEpochs,
      batchSize: c.batchSize,
      lr: c.lr,
      warmupEpochs: c.warmupEpochs,
      minLr: c.minLr,
      weightDecay: c.weightDecay,
      seed: c.seed,
      signal: control.signal,
      afterEpoch: async (epoch, trainLoss, lr) => {
        const vm = regressionMetrics(scores(head, val.x, val.rows), val.y);
        const event: ImportanceEpochEvent = {
          epoch,
          epochs: c.numEpochs,
          lr,
          train_loss: trainLoss,
          val_mae: vm.mae,
          val_rmse: vm.rmse,
          val_spearman: vm.spearman,
          seconds: (Date.now() - started) / 1000 / epoch,
          eta_seconds: ((Date.now() - started) / 1000 / epoch) * (c.numEpochs - epoch),
        };
        history.train_loss.push(trainLoss);
        history.val_mae.push(vm.mae);
        history.val_spearman.push(vm.spearman);
        history.lr.push(lr);
        await appender.append(event);
        control.onEpoch?.(event);
        return false;
      },
    });
  } finally {
    await appender.close();
  }
  const weights: HeadWeights = head.getWeights();
  const trainMean = train.y.reduce((a, b) => a + b, 0) / Math.max(train.rows, 1);
  const done: ImportanceRunMeta = {
    ...meta,
    status: fit.status,
    epochs_run: fit.epochsRun,
    val_metrics: regressionMetrics(scores(head, val.x, val.rows), val.y),
    test_metrics: regressionMetrics(scores(head, test.x, test.rows), test.y),
    test_baseline_mae: regressionMetrics(new Float32Array(test.rows).fill(trainMean), test.y).mae,
  };
  head.dispose();
  done.onnx = await exportRunModel(runDir, c.backbone, weights, { task: "frame-importance", labels: ["importance"], preprocessing: emb.preprocessing });
  done.seconds = (Date.now() - started) / 1000;
  await writeHeadFiles(runDir, weights);
  await writeJsonAtomic(join(runDir, "meta.json"), done);
  if (fit.status === "cancelled")
    throw new TrainsetError("ABORTED", `Cannot finish frame-importance run "${runId}": it was cancelled after ${fit.epochsRun} epochs (folder "${runDir}" is marked cancelled)`, { file: runDir });
  return { runDir, meta: done };
}
