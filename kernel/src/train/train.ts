/**
 * `train()`: lx-ai's multilabel recipe on cached embeddings. Reads a source, applies the labelset
 * rules, splits by group, embeds images once (cache), trains a tfjs head with AdamW + warmup/cosine
 * and the masked focal loss, tunes per-label thresholds on val and writes `runs/<run_id>/`.
 */
import { mkdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { splitByGroup } from "../split/group-split.js";
import { createSeededRng } from "../split/seeded-rng.js";
import { TrainsetError } from "../util/errors.js";
import { openJsonlAppender } from "../util/jsonl.js";
import type { RunControl } from "../util/run-control.js";
import { loadBackbone, type Backbone } from "./backbone.js";
import { embedImages } from "./embeddings-cache.js";
import { HeadModel, type HeadLoss, type HeadWeights } from "./head-model.js";
import { computeClassWeights, focalLoss, bceLoss, sigmoid, type LabelMatrix } from "./losses.js";
import { learningRateAt } from "./lr-schedule.js";
import { computeMetrics, tuneThresholds, type MultilabelMetrics } from "./metrics.js";
import { buildTrainData, LX_AI_JSONL_LABELSET, readPostgresSource, readTrainSamples, type Labelset, type TrainData } from "./train-data.js";
import { configToSnakeCase, type TrainConfig } from "./train-config.js";
import { requireNativeTfBackend, selectTfBackend, type TfBackendInfo } from "./tf-backend.js";
import { fineTuneBuiltinBackbone } from "./fine-tune.js";
import { writeRunFiles, type RunMeta } from "./run-folder.js";
import { exportRunModel } from "./run-model-export.js";

/** One finished epoch: everything a live chart needs. */
export interface EpochEvent {
  epoch: number;
  epochs: number;
  lr: number;
  train_loss: number;
  val_loss: number;
  test_loss: number;
  val_map: number;
  val_macro_f1: number;
  /** Seconds for this epoch and the estimate for the rest. */
  seconds: number;
  eta_seconds: number;
}

/** Callbacks of {@link train}. */
export interface TrainControl extends RunControl {
  onEpoch?: (event: EpochEvent) => void;
}

/** What `train()` returns. */
export interface TrainResult {
  runDir: string;
  meta: RunMeta;
}

const SPLITS = ["train", "val", "test"] as const;

function pick(data: TrainData, features: Float32Array, dim: number, rows: number[]): { x: Float32Array; y: LabelMatrix; m: LabelMatrix } {
  const L = data.labels.length;
  const x = new Float32Array(rows.length * dim);
  const y = new Float32Array(rows.length * L);
  const m = new Float32Array(rows.length * L);
  rows.forEach((r, i) => {
    x.set(features.subarray(r * dim, (r + 1) * dim), i * dim);
    y.set(data.targets.subarray(r * L, (r + 1) * L), i * L);
    m.set(data.masks.subarray(r * L, (r + 1) * L), i * L);
  });
  return { x, y: { rows: rows.length, cols: L, data: y }, m: { rows: rows.length, cols: L, data: m } };
}

/**
 * Trains a multilabel head and writes the run folder; aborting stops between batches, writes the
 * folder marked `cancelled` and rejects with ABORTED.
 * @example const { runDir, meta } = await train(await readTrainConfig("train.json"), { onEpoch: console.log });
 */
export async function train(config: TrainConfig, control: TrainControl = {}): Promise<TrainResult> {
  const started = Date.now();
  const backend: TfBackendInfo = await selectTfBackend(config.tfBackend);
  if (!config.freezeBackbone) requireNativeTfBackend(backend, `train with freeze_backbone false on "${config.source.path}"`);
  // A database source brings its own labelset (by id and version) and builds the matrix while streaming.
  const fromDb = config.source.kind === "postgres" ? await readPostgresSource({ ...config.source, treatUnlabeledAsNegative: config.treatUnlabeledAsNegative }) : undefined;
  const labelset: Labelset = fromDb === undefined ? (config.labelset ?? LX_AI_JSONL_LABELSET) : { name: fromDb.labelset.name, version: fromDb.labelset.version, labels: fromDb.labelset.labels };
  const data = fromDb ?? buildTrainData(await readTrainSamples(config.source), labelset, { treatUnlabeledAsNegative: config.treatUnlabeledAsNegative });
  const N = data.images.length;
  const L = data.labels.length;
  if (N < 3)
    throw new TrainsetError("VALIDATION_ERROR", `Cannot train on "${config.source.path}": ${N} usable images after dropping ${data.droppedZeroPositive} without a positive label of "${labelset.name}"`, { file: config.source.path });
  const split = splitByGroup(
    data.images.map((_, i) => ({ group: data.groups[i] ?? "", labels: data.labels.filter((_, j) => (data.targets[i * L + j] ?? 0) > 0) })),
    {
      ratios: [
        { name: "train", ratio: 1 - config.valSplit - config.testSplit },
        { name: "val", ratio: config.valSplit },
        { name: "test", ratio: config.testSplit },
      ],
      seed: config.seed,
      mode: config.splitMode,
    },
  );
  const rowsOf = SPLITS.map((_, k) => split.assignments.flatMap((a, i) => (a === k ? [i] : [])));
  const [trainRows, valRows, testRows] = rowsOf as [number[], number[], number[]];
  if (trainRows.length === 0) throw new TrainsetError("VALIDATION_ERROR", `Cannot train on "${config.source.path}": the train split is empty`);

  const runId = config.runId ?? `${new Date(started).toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}-s${config.seed}`;
  const runDir = resolve(config.runsDir, runId);
  if (await stat(runDir).then(() => true, () => false))
    throw new TrainsetError("CONFLICT", `Cannot start run "${runId}": the folder "${runDir}" already exists`, { file: runDir });

  // lx-ai's unfreeze: fine-tune the built-in backbone's last layers first (native tfjs only),
  // then train the head below on embeddings of the tuned backbone (not cached: its weights are new).
  const tuned = config.freezeBackbone ? undefined : join(runDir, "backbone");
  if (tuned !== undefined) await mkdir(tuned, { recursive: true });
  const backbone: Backbone =
    tuned === undefined
      ? await loadBackbone(config.backbone)
      : await fineTuneBuiltinBackbone({
          images: data.images,
          targets: data.targets,
          masks: data.masks,
          labels: L,
          trainRows,
          unfreezeLayers: config.unfreezeLayers,
          epochs: config.finetuneEpochs,
          batchSize: config.batchSize,
          lrHead: config.lrHead,
          lrBackbone: config.lrBackbone,
          loss: { kind: config.loss, alpha: config.alphaFocal, gamma: config.gammaFocal, weights: computeClassWeights({ rows: N, cols: L, data: data.targets }, { rows: N, cols: L, data: data.masks }) },
          seed: config.seed,
          saveTo: tuned,
          ...(control.signal === undefined ? {} : { signal: control.signal }),
          ...(control.onProgress === undefined ? {} : { onProgress: control.onProgress }),
        });
  let emb;
  try {
    emb = await embedImages(data.images, backbone, {
      ...(tuned === undefined ? { cacheDir: config.cacheDir } : {}),
      batchSize: 16,
      ...(control.signal === undefined ? {} : { signal: control.signal }),
      ...(control.onProgress === undefined ? {} : { onProgress: control.onProgress }),
    });
  } finally {
    await backbone.dispose();
  }
  // Backbones may pick their own tfjs backend: train the head on the one chosen for it.
  await tf.setBackend(backend.name);
  const D = emb.dim;
  const trainSet = pick(data, emb.features, D, trainRows);
  const valSet = pick(data, emb.features, D, valRows);
  const testSet = pick(data, emb.features, D, testRows);

  const all = { rows: N, cols: L, data: data.targets };
  const allMask = { rows: N, cols: L, data: data.masks };
  const weights = Array.isArray(config.classWeights)
    ? Float32Array.from(config.classWeights)
    : config.classWeights === "none"
      ? new Float32Array(L).fill(1)
      : config.classWeights === "train"
        ? computeClassWeights(trainSet.y, trainSet.m)
        : computeClassWeights(all, allMask);
  if (weights.length !== L) throw new TrainsetError("VALIDATION_ERROR", `Cannot use class_weights: ${weights.length} values for ${L} labels`, { field: "class_weights" });
  const loss: HeadLoss = { kind: config.loss, alpha: config.alphaFocal, gamma: config.gammaFocal, weights };
  if (config.posWeight !== undefined) loss.posWeight = config.posWeight === "auto" ? autoPosWeight(trainSet.y, trainSet.m) : Float32Array.from(config.posWeight);

  const head = new HeadModel({ kind: config.head, inputDim: D, outputDim: L, hiddenUnits: config.hiddenUnits, dropout: config.dropout }, config.seed);
  await mkdir(runDir, { recursive: true });
  const history = { train_loss: [] as number[], val_loss: [] as number[], test_loss: [] as number[], val_map: [] as number[], val_macro_f1: [] as number[], lr: [] as number[] };
  const base = {
    run_id: runId,
    config: configToSnakeCase(tuned === undefined ? config : { ...config, backbone: { kind: "tfjs", path: join(tuned, "model.json") } }),
    labelset,
    used_label_names: data.labels,
    used_label_indices_original: data.labelIndices,
    backend: { tfjs: backend.name, package: backend.package, backbone: backbone.name },
    data: {
      images: N,
      dropped_zero_positive: data.droppedZeroPositive,
      unlabeled: data.unlabeled,
      splits: { train: trainRows.length, val: valRows.length, test: testRows.length },
      embedding_dim: D,
      cache_hits: emb.cacheHits,
      embedded: emb.computed,
      backbone_seconds: emb.backboneSeconds,
    },
    class_weights: Array.from(weights),
  };
  await writeRunFiles(runDir, { ...base, status: "running", history });
  const appender = await openJsonlAppender(join(runDir, "history.jsonl"));
  const rng = createSeededRng(config.seed);
  const order = [...trainRows.keys()];
  const B = config.batchSize;
  const xBuf = new Float32Array(B * D);
  const yBuf = new Float32Array(B * L);
  const mBuf = new Float32Array(B * L);
  const better = (a: number, b: number): boolean => (config.monitor === "val_loss" ? a < b : a > b);
  let best: { value: number; epoch: number; weights: HeadWeights } | undefined;
  let status: RunMeta["status"] = "completed";
  const evalLoss = (set: { x: Float32Array; y: LabelMatrix; m: LabelMatrix }): number => {
    if (set.y.rows === 0) return 0;
    const z = { rows: set.y.rows, cols: L, data: head.predictLogits(set.x, set.y.rows) };
    return config.loss === "focal"
      ? focalLoss(z, set.y, set.m, { alpha: config.alphaFocal, gamma: config.gammaFocal, weights })
      : bceLoss(z, set.y, set.m, { weights, ...(loss.posWeight === undefined ? {} : { posWeight: loss.posWeight }) });
  };
  try {
    for (let epoch = 1; epoch <= config.numEpochs; epoch++) {
      const t0 = Date.now();
      const lr = config.useScheduler ? learningRateAt(epoch, { baseLr: config.lrHead, epochs: config.numEpochs, warmupEpochs: config.warmupEpochs, minLr: config.minLr }) : config.lrHead;
      rng.shuffle(order);
      let sum = 0;
      let batches = 0;
      for (let s = 0; s < order.length; s += B) {
        if (control.signal?.aborted === true) {
          status = "cancelled";
          break;
        }
        const n = Math.min(B, order.length - s);
        for (let k = 0; k < n; k++) {
          const r = order[s + k] ?? 0;
          xBuf.set(trainSet.x.subarray(r * D, (r + 1) * D), k * D);
          yBuf.set(trainSet.y.data.subarray(r * L, (r + 1) * L), k * L);
          mBuf.set(trainSet.m.data.subarray(r * L, (r + 1) * L), k * L);
        }
        const x = tf.tensor2d(xBuf.subarray(0, n * D), [n, D]);
        const y = tf.tensor2d(yBuf.subarray(0, n * L), [n, L]);
        const m = tf.tensor2d(mBuf.subarray(0, n * L), [n, L]);
        sum += head.trainBatch(x, y, m, loss, lr, config.weightDecay);
        batches++;
        tf.dispose([x, y, m]);
      }
      if (status === "cancelled") break;
      const valProbs = probsOf(head, valSet.x, valSet.y.rows, L);
      const valMetrics = computeMetrics(valProbs, valSet.y, valSet.m, data.labels);
      const event: EpochEvent = {
        epoch,
        epochs: config.numEpochs,
        lr,
        train_loss: sum / Math.max(batches, 1),
        val_loss: evalLoss(valSet),
        test_loss: evalLoss(testSet),
        val_map: valMetrics.map,
        val_macro_f1: valMetrics.macro_f1,
        seconds: (Date.now() - t0) / 1000,
        eta_seconds: 0,
      };
      event.eta_seconds = ((Date.now() - started) / 1000 / epoch) * (config.numEpochs - epoch);
      history.train_loss.push(event.train_loss);
      history.val_loss.push(event.val_loss);
      history.test_loss.push(event.test_loss);
      history.val_map.push(event.val_map);
      history.val_macro_f1.push(event.val_macro_f1);
      history.lr.push(lr);
      await appender.append(event);
      control.onEpoch?.(event);
      if (config.patience > 0) {
        const value = event[config.monitor];
        if (best === undefined || better(value, best.value)) best = { value, epoch, weights: head.getWeights() };
        else if (epoch - best.epoch >= config.patience) break;
      }
    }
  } finally {
    await appender.close();
  }
  if (best !== undefined && status === "completed") head.setWeights(best.weights);
  const valProbs = probsOf(head, valSet.x, valSet.y.rows, L);
  const testProbs = probsOf(head, testSet.x, testSet.y.rows, L);
  const thresholds = tuneThresholds(valProbs, valSet.y, valSet.m);
  const testFinal: MultilabelMetrics = computeMetrics(testProbs, testSet.y, testSet.m, data.labels);
  const testTuned = computeMetrics(testProbs, testSet.y, testSet.m, data.labels, thresholds);
  const meta: RunMeta = {
    ...base,
    status,
    history,
    epochs_run: history.train_loss.length,
    ...(best === undefined ? {} : { best_epoch: best.epoch }),
    thresholds: Object.fromEntries(data.labels.map((l, j) => [l, thresholds[j] ?? 0.5])),
    val_metrics: computeMetrics(valProbs, valSet.y, valSet.m, data.labels, thresholds),
    test_metrics_final: testFinal,
    test_metrics_tuned: testTuned,
    seconds: (Date.now() - started) / 1000,
  };
  const headWeights = head.getWeights();
  head.dispose();
  meta.onnx = await exportRunModel(runDir, tuned === undefined ? config.backbone : { kind: "tfjs" }, headWeights, {
    task: "multilabel",
    labels: data.labels,
    thresholds: Array.from(thresholds),
    preprocessing: backbone.preprocessing,
  });
  await writeRunFiles(runDir, meta, headWeights);
  if (status === "cancelled")
    throw new TrainsetError("ABORTED", `Cannot finish training run "${runId}": it was cancelled after ${meta.epochs_run ?? 0} epochs (folder "${runDir}" is marked cancelled)`, { file: runDir });
  return { runDir, meta };
}

function probsOf(head: HeadModel, x: Float32Array, n: number, L: number): LabelMatrix {
  const z = head.predictLogits(x, n);
  return { rows: n, cols: L, data: z.map(sigmoid) };
}

/** PyTorch-style pos_weight: negatives/positives per label over known entries of the train split. */
function autoPosWeight(y: LabelMatrix, m: LabelMatrix): Float32Array {
  const out = new Float32Array(y.cols);
  for (let j = 0; j < y.cols; j++) {
    let pos = 0, neg = 0;
    for (let i = 0; i < y.rows; i++) {
      const k = i * y.cols + j;
      if ((m.data[k] ?? 0) <= 0) continue;
      if ((y.data[k] ?? 0) > 0) pos++;
      else neg++;
    }
    out[j] = pos === 0 ? 1 : neg / pos;
  }
  return out;
}
