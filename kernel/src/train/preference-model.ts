/**
 * `trainPreferenceModel()`: a Bradley–Terry model on embeddings from the historical extraction's
 * winner/loser decisions. Score s(x) = w·x (no bias), P(a preferred to b) = sigmoid(s(a) − s(b)),
 * fitted as logistic regression on embedding differences; pairs of one decision group never
 * straddle splits. Held-out pairwise accuracy, log loss and top-1 accuracy per group.
 */
import { mkdir } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { readPairs, type PairsRecord } from "../formats/pairs.js";
import { createSeededRng } from "../split/seeded-rng.js";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { TrainsetError } from "../util/errors.js";
import { openJsonlAppender } from "../util/jsonl.js";
import type { RunControl } from "../util/run-control.js";
import type { BackboneSpec } from "./backbone.js";
import { fitHead } from "./head-fit.js";
import { HeadModel } from "./head-model.js";
import { writeHeadFiles, type RunOnnxInfo } from "./run-folder.js";
import { exportRunModel } from "./run-model-export.js";
import { claimRunDir, embedForTask, splitRowsByGroup, type TaskRunMetaBase } from "./task-run.js";
import { selectTfBackend, type TfBackendChoice } from "./tf-backend.js";

/** Everything `trainPreferenceModel()` needs; optional fields document their defaults. */
export interface PreferenceConfig {
  /** Pairs file (JSONL or CSV, see formats/pairs.ts). */
  pairs: string;
  /** Resolves relative chosen/neg paths (default: the record's metadata.raw_dir, else the file's folder). */
  imagesRoot?: string;
  backbone: BackboneSpec;
  runsDir: string;
  /** Default `<timestamp>-preference-s<seed>`. */
  runId?: string;
  /** Embeddings cache (default: none). */
  cacheDir?: string;
  /** Default 60. */
  numEpochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** AdamW base rate (default 1e-2), 2 warmup epochs then cosine to 1e-5. */
  lr?: number;
  /** Default 1e-3. */
  weightDecay?: number;
  /** Of decision groups (default 0.1 / 0.2). */
  valSplit?: number;
  testSplit?: number;
  /** Default 42. */
  seed?: number;
  /** Default `auto`. */
  tfBackend?: TfBackendChoice;
}

/** Held-out figures of a preference model. */
export interface PreferenceMetrics {
  pairs: number;
  /** Share of pairs where the kept image scores higher (ties count half). */
  accuracy: number | null;
  /** Mean −log P(kept preferred). */
  log_loss: number | null;
  groups: number;
  /** Share of groups whose kept image scores highest of the group. */
  top1_accuracy: number | null;
  /** What picking at random would give on those groups (mean 1/group size). */
  top1_chance: number | null;
}

/** One finished epoch. */
export interface PreferenceEpochEvent {
  epoch: number;
  epochs: number;
  lr: number;
  train_loss: number;
  val_accuracy: number | null;
  val_log_loss: number | null;
  seconds: number;
  eta_seconds: number;
}

/** Callbacks of {@link trainPreferenceModel}. */
export interface PreferenceControl extends RunControl {
  onEpoch?: (event: PreferenceEpochEvent) => void;
}

/** `meta.json` of a preference run. */
export interface PreferenceRunMeta extends TaskRunMetaBase {
  task: "preference";
  data: { records: number; rejected_groups: number; groups: number; images: number; pairs: { train: number; val: number; test: number }; embedding_dim: number; cache_hits: number; embedded: number };
  history: { train_loss: number[]; val_accuracy: (number | null)[]; lr: number[] };
  val_metrics?: PreferenceMetrics;
  test_metrics?: PreferenceMetrics;
  onnx?: RunOnnxInfo;
  seconds?: number;
}

/** A decision: kept image indices against not-kept ones. */
interface Decision {
  group: string;
  winners: number[];
  losers: number[];
}

const DEFAULTS = { numEpochs: 60, batchSize: 64, lr: 1e-2, weightDecay: 1e-3, valSplit: 0.1, testSplit: 0.2, seed: 42, tfBackend: "auto" } as const;

function decisionsOf(records: readonly PairsRecord[], file: string, imagesRoot: string | undefined): { decisions: Decision[]; images: string[]; rejected: number } {
  const index = new Map<string, number>();
  const images: string[] = [];
  const id = (path: string, record: PairsRecord): number => {
    const root = imagesRoot ?? (record.metadata?.raw_dir === undefined ? dirname(file) : resolve(dirname(file), record.metadata.raw_dir));
    const full = isAbsolute(path) ? path : resolve(root, path);
    let i = index.get(full);
    if (i === undefined) {
      i = images.length;
      images.push(full);
      index.set(full, i);
    }
    return i;
  };
  const decisions: Decision[] = [];
  let rejected = 0;
  for (const r of records) {
    if (r.chosen_path === null || r.neg_paths.length === 0) {
      rejected += r.chosen_path === null ? 1 : 0;
      continue;
    }
    decisions.push({
      group: `${r.project}/${r.group_dir ?? ""}/${r.timestamp}`,
      winners: [r.chosen_path, ...(r.co_chosen_paths ?? [])].map((p) => id(p, r)),
      losers: r.neg_paths.map((p) => id(p, r)),
    });
  }
  return { decisions, images, rejected };
}

/**
 * Pairwise and top-1 figures of scores `s` (one per image) on `decisions`.
 * @example preferenceMetrics(Float32Array.of(2, 1), [{ group: "g", winners: [0], losers: [1] }]).accuracy // 1
 */
export function preferenceMetrics(s: ArrayLike<number>, decisions: readonly { winners: readonly number[]; losers: readonly number[] }[]): PreferenceMetrics {
  let pairs = 0, right = 0, loss = 0, top1 = 0, chance = 0;
  for (const d of decisions) {
    for (const w of d.winners)
      for (const l of d.losers) {
        const diff = (s[w] ?? 0) - (s[l] ?? 0);
        pairs++;
        right += diff > 0 ? 1 : diff === 0 ? 0.5 : 0;
        // −log sigmoid(diff), computed stably.
        loss += Math.max(-diff, 0) + Math.log1p(Math.exp(-Math.abs(diff)));
      }
    const bestWinner = Math.max(...d.winners.map((w) => s[w] ?? 0));
    const bestLoser = Math.max(...d.losers.map((l) => s[l] ?? 0));
    top1 += bestWinner > bestLoser ? 1 : 0;
    chance += d.winners.length / (d.winners.length + d.losers.length);
  }
  const n = decisions.length;
  return {
    pairs,
    accuracy: pairs === 0 ? null : right / pairs,
    log_loss: pairs === 0 ? null : loss / pairs,
    groups: n,
    top1_accuracy: n === 0 ? null : top1 / n,
    top1_chance: n === 0 ? null : chance / n,
  };
}

/**
 * Trains the preference model and writes `runs/<run_id>/` (meta.json, history.jsonl, the score
 * head, model.onnx with a `scores` output or head.onnx). Aborting stops between batches, marks
 * the folder cancelled and rejects with ABORTED.
 * @example const { meta } = await trainPreferenceModel({ pairs: "historical.jsonl", backbone: { kind: "builtin" }, runsDir: "runs" });
 */
export async function trainPreferenceModel(config: PreferenceConfig, control: PreferenceControl = {}): Promise<{ runDir: string; meta: PreferenceRunMeta }> {
  const started = Date.now();
  const c = { ...DEFAULTS, ...config };
  for (const k of ["numEpochs", "batchSize"] as const)
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new TrainsetError("VALIDATION_ERROR", `Cannot train a preference model: ${k} must be a whole number >= 1, got ${JSON.stringify(c[k])}`, { field: k });
  if (!(c.valSplit >= 0 && c.testSplit >= 0 && c.valSplit + c.testSplit < 1))
    throw new TrainsetError("VALIDATION_ERROR", "Cannot train a preference model: valSplit and testSplit must be >= 0 with a sum below 1", { field: "valSplit" });
  const backend = await selectTfBackend(c.tfBackend);
  const { records } = await readPairs(c.pairs, { mode: "strict" });
  const { decisions, images, rejected } = decisionsOf(records, c.pairs, c.imagesRoot);
  if (decisions.length < 3) throw new TrainsetError("VALIDATION_ERROR", `Cannot train a preference model on "${c.pairs}": ${decisions.length} decisions with a kept and a not-kept image, at least 3 needed`, { file: c.pairs });
  const [trainIdx, valIdx, testIdx] = splitRowsByGroup(decisions.map((d) => d.group), c.valSplit, c.testSplit, c.seed);
  const pick = (idx: number[]): Decision[] => idx.map((i) => decisions[i] as Decision);
  const [trainD, valD, testD] = [pick(trainIdx), pick(valIdx), pick(testIdx)];
  const countPairs = (ds: Decision[]): number => ds.reduce((a, d) => a + d.winners.length * d.losers.length, 0);
  const { runId, runDir } = await claimRunDir(c.runsDir, c.runId, "preference", c.seed);
  const emb = await embedForTask(images, c.backbone, c.cacheDir, control);
  await tf.setBackend(backend.name);
  const D = emb.dim;
  // Differences a − b with label 1, each pair flipped at random (label 0) so both classes occur.
  const rng = createSeededRng(c.seed);
  const P = countPairs(trainD);
  const x = new Float32Array(P * D);
  const y = new Float32Array(P);
  let k = 0;
  for (const d of trainD)
    for (const w of d.winners)
      for (const l of d.losers) {
        const flip = rng.nextFloat() < 0.5;
        const [a, b] = flip ? [l, w] : [w, l];
        for (let j = 0; j < D; j++) x[k * D + j] = (emb.features[a * D + j] ?? 0) - (emb.features[b * D + j] ?? 0);
        y[k] = flip ? 0 : 1;
        k++;
      }
  const head = new HeadModel({ kind: "linear", inputDim: D, outputDim: 1, hiddenUnits: 0, dropout: 0, bias: false }, c.seed);
  const scoresOf = (): Float32Array => head.predictLogits(emb.features, images.length);
  const history: PreferenceRunMeta["history"] = { train_loss: [], val_accuracy: [], lr: [] };
  const { pairs: pairsFile, ...rest } = c;
  const meta: PreferenceRunMeta = {
    run_id: runId,
    task: "preference",
    status: "running",
    config: { ...rest, pairs: pairsFile },
    backend: { tfjs: backend.name, package: backend.package, backbone: emb.backboneName },
    data: { records: records.length, rejected_groups: rejected, groups: decisions.length, images: images.length, pairs: { train: P, val: countPairs(valD), test: countPairs(testD) }, embedding_dim: D, cache_hits: emb.cacheHits, embedded: emb.computed },
    history,
  };
  await mkdir(runDir, { recursive: true });
  await writeJsonAtomic(join(runDir, "meta.json"), meta);
  const appender = await openJsonlAppender(join(runDir, "history.jsonl"));
  let fit;
  try {
    fit = await fitHead(head, { x, y, rows: P }, {
      loss: { kind: "bce", alpha: 0.5, gamma: 0, weights: Float32Array.of(1) },
      numEpochs: c.numEpochs,
      batchSize: c.batchSize,
      lr: c.lr,
      warmupEpochs: Math.min(2, c.numEpochs - 1),
      minLr: 1e-5,
      weightDecay: c.weightDecay,
      seed: c.seed,
      signal: control.signal,
      afterEpoch: async (epoch, trainLoss, lr) => {
        const vm = preferenceMetrics(scoresOf(), valD);
        const perEpoch = (Date.now() - started) / 1000 / epoch;
        const event: PreferenceEpochEvent = { epoch, epochs: c.numEpochs, lr, train_loss: trainLoss, val_accuracy: vm.accuracy, val_log_loss: vm.log_loss, seconds: perEpoch, eta_seconds: perEpoch * (c.numEpochs - epoch) };
        history.train_loss.push(trainLoss);
        history.val_accuracy.push(vm.accuracy);
        history.lr.push(lr);
        await appender.append(event);
        control.onEpoch?.(event);
        return false;
      },
    });
  } finally {
    await appender.close();
  }
  const s = scoresOf();
  const weights = head.getWeights();
  head.dispose();
  const done: PreferenceRunMeta = { ...meta, status: fit.status, epochs_run: fit.epochsRun, val_metrics: preferenceMetrics(s, valD), test_metrics: preferenceMetrics(s, testD) };
  done.onnx = await exportRunModel(runDir, c.backbone, weights, { task: "preference", labels: ["score"], preprocessing: emb.preprocessing, output: "logits" });
  done.seconds = (Date.now() - started) / 1000;
  await writeHeadFiles(runDir, weights);
  await writeJsonAtomic(join(runDir, "meta.json"), done);
  if (fit.status === "cancelled")
    throw new TrainsetError("ABORTED", `Cannot finish preference run "${runId}": it was cancelled after ${fit.epochsRun} epochs (folder "${runDir}" is marked cancelled)`, { file: runDir });
  return { runDir, meta: done };
}
