/**
 * The training configuration: lx-ai's `TrainingConfig` fields and defaults (35 epochs, batch 32,
 * val 0.2, test 0.1, lr_head 1e-3, lr_backbone 1e-4, gamma 2, alpha 0.25, warmup 3, min_lr 1e-6,
 * seed 42) plus trainset's options. On disk keys are snake_case as in lx-ai's YAML; camelCase
 * is accepted too.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { TrainsetError } from "../util/errors.js";
import type { SplitMode } from "../split/split-report.js";
import type { BackboneSpec } from "./backbone.js";
import type { TfBackendChoice } from "./tf-backend.js";
import type { Labelset, TrainSourceSpec } from "./train-data.js";

/** Everything `train()` needs. */
export interface TrainConfig {
  source: TrainSourceSpec;
  /** Default: lx-ai's 9 JSONL labels. */
  labelset?: Labelset;
  backbone: BackboneSpec;
  /** Parent of run folders (default `runs`). */
  runsDir: string;
  /** Default: `<timestamp>-<seed>`. */
  runId?: string;
  /** Embeddings cache folder (default `.trainset/embeddings`). */
  cacheDir: string;
  head: "linear" | "mlp";
  hiddenUnits: number;
  dropout: number;
  loss: "focal" | "bce";
  alphaFocal: number;
  gammaFocal: number;
  /** `computed` (lx-ai, from the whole data set), `train` (train split only), `none`, or a list. */
  classWeights: "computed" | "train" | "none" | number[];
  /** BCE only: PyTorch-style pos_weight, `neg/pos` from the train split when `auto`. */
  posWeight?: "auto" | number[];
  numEpochs: number;
  batchSize: number;
  valSplit: number;
  testSplit: number;
  splitMode: SplitMode;
  lrHead: number;
  lrBackbone: number;
  weightDecay: number;
  warmupEpochs: number;
  minLr: number;
  useScheduler: boolean;
  freezeBackbone: boolean;
  /** With `freezeBackbone: false`: trainable layers from the end of the built-in backbone, and fine-tuning epochs. */
  unfreezeLayers: number;
  finetuneEpochs: number;
  treatUnlabeledAsNegative: boolean;
  /** Early stopping: metric to watch and patience in epochs (0 = off, lx-ai). */
  monitor: "val_loss" | "val_map" | "val_macro_f1";
  patience: number;
  seed: number;
  tfBackend: TfBackendChoice;
}

/** The defaults, lx-ai's where it has one. */
export const DEFAULT_TRAIN_CONFIG: Omit<TrainConfig, "source" | "backbone"> = {
  runsDir: "runs",
  cacheDir: ".trainset/embeddings",
  head: "linear",
  hiddenUnits: 256,
  dropout: 0,
  loss: "focal",
  alphaFocal: 0.25,
  gammaFocal: 2,
  classWeights: "computed",
  numEpochs: 35,
  batchSize: 32,
  valSplit: 0.2,
  testSplit: 0.1,
  splitMode: "lx-ai",
  lrHead: 1e-3,
  lrBackbone: 1e-4,
  weightDecay: 0.01,
  warmupEpochs: 3,
  minLr: 1e-6,
  useScheduler: true,
  freezeBackbone: true,
  unfreezeLayers: 20,
  finetuneEpochs: 5,
  treatUnlabeledAsNegative: false,
  monitor: "val_loss",
  patience: 0,
  seed: 42,
  tfBackend: "auto",
};

const camel = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A config object with snake_case keys, as written into meta.json. */
export function configToSnakeCase(config: TrainConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[snake(k)] = v;
  return out;
}

function fail(file: string, field: string, what: string): never {
  throw new TrainsetError("VALIDATION_ERROR", `Cannot read training config "${file}": ${field} ${what}`, { file, field });
}

/** A `{ kind: "postgres", path: "postgres://user@host/db", dataset_id, labelset_id, labelset_version }` source. */
function parsePostgresSource(s: Record<string, unknown>, file: string): TrainSourceSpec {
  const path = String(s["path"]);
  if (!/^postgres(ql)?:\/\//.test(path)) fail(file, "source.path", "must be a postgres:// URL for kind postgres");
  if (/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(path)) fail(file, "source.path", "must not hold a password: set DEV_DB_PASSWORD or DEV_DB_PASSWORD_FILE");
  const int = (snakeKey: string, camelKey: string): number => {
    const v = s[snakeKey] ?? s[camelKey];
    if (!Number.isSafeInteger(v) || (v as number) < 0) fail(file, `source.${snakeKey}`, `must be a whole number >= 0, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const media = s["media_root"] ?? s["mediaRoot"];
  return {
    kind: "postgres",
    path,
    datasetId: int("dataset_id", "datasetId"),
    labelsetId: int("labelset_id", "labelsetId"),
    labelsetVersion: int("labelset_version", "labelsetVersion"),
    ...(typeof media === "string" ? { mediaRoot: media } : {}),
  };
}

/**
 * Applies defaults and checks a parsed config object (keys snake_case or camelCase).
 * @example parseTrainConfig({ source: { kind: "legacy-jsonl", path: "a.jsonl" }, num_epochs: 10 })
 */
export function parseTrainConfig(value: unknown, file = "<config>"): TrainConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(file, "the top level", "must be an object");
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) given[camel(k)] = v;
  const known = new Set([...Object.keys(DEFAULT_TRAIN_CONFIG), "source", "backbone", "labelset", "runId", "posWeight"]);
  for (const k of Object.keys(given)) if (!known.has(k)) fail(file, `"${snake(k)}"`, "is not a known option");
  const config = { ...DEFAULT_TRAIN_CONFIG, backbone: {}, ...given } as TrainConfig;
  const src = config.source as unknown;
  if (typeof src !== "object" || src === null) fail(file, "source", "is required: { kind: legacy-jsonl | frame-table | coco, path }");
  const s = src as Record<string, unknown>;
  if (!["legacy-jsonl", "frame-table", "coco", "postgres"].includes(String(s["kind"]))) fail(file, "source.kind", `must be legacy-jsonl, frame-table, coco or postgres, got ${JSON.stringify(s["kind"])}`);
  if (typeof s["path"] !== "string" || s["path"] === "") fail(file, "source.path", "must be a file path");
  if (s["kind"] === "postgres") config.source = parsePostgresSource(s, file);
  const positive = ["numEpochs", "batchSize"] as const;
  for (const k of positive) if (!Number.isInteger(config[k]) || config[k] < 1) fail(file, snake(k), `must be a whole number >= 1, got ${JSON.stringify(config[k])}`);
  const rates = ["lrHead", "lrBackbone", "minLr", "alphaFocal", "gammaFocal", "weightDecay", "valSplit", "testSplit", "dropout"] as const;
  for (const k of rates) if (typeof config[k] !== "number" || !Number.isFinite(config[k]) || config[k] < 0) fail(file, snake(k), `must be a number >= 0, got ${JSON.stringify(config[k])}`);
  if (config.valSplit + config.testSplit >= 1) fail(file, "val_split + test_split", "must be below 1");
  if (config.alphaFocal > 1) fail(file, "alpha_focal", "must be within 0..1");
  if (config.head !== "linear" && config.head !== "mlp") fail(file, "head", `must be linear or mlp, got ${JSON.stringify(config.head)}`);
  if (config.loss !== "focal" && config.loss !== "bce") fail(file, "loss", `must be focal or bce, got ${JSON.stringify(config.loss)}`);
  if (!["val_loss", "val_map", "val_macro_f1"].includes(config.monitor)) fail(file, "monitor", "must be val_loss, val_map or val_macro_f1");
  if (!Number.isInteger(config.warmupEpochs) || config.warmupEpochs < 0) fail(file, "warmup_epochs", "must be a whole number >= 0");
  if (!Number.isInteger(config.patience) || config.patience < 0) fail(file, "patience", "must be a whole number >= 0");
  if (!Number.isSafeInteger(config.seed) || config.seed < 0) fail(file, "seed", "must be a whole number >= 0");
  for (const k of ["unfreezeLayers", "finetuneEpochs"] as const) if (!Number.isInteger(config[k]) || config[k] < 1) fail(file, snake(k), `must be a whole number >= 1, got ${JSON.stringify(config[k])}`);
  // A native tfjs backend is checked when training starts (train()); ONNX backbones never train.
  if (!config.freezeBackbone && config.backbone.kind !== undefined && config.backbone.kind !== "builtin")
    fail(file, "freeze_backbone", `can be false only with the built-in backbone: ${config.backbone.kind} backbones run frozen (onnxruntime does not train); fine-tune in PyTorch and export again`);
  return config;
}

/**
 * Reads and checks a JSON training config.
 * @example const config = await readTrainConfig("train.json");
 */
export async function readTrainConfig(path: string): Promise<TrainConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new TrainsetError("IO_ERROR", `Cannot read training config "${path}": ${error instanceof Error ? error.message : String(error)}`, { file: path, cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TrainsetError("PARSE_ERROR", `Cannot read training config "${path}": it is not valid JSON (${error instanceof Error ? error.message : String(error)})`, { file: path, cause: error });
  }
  return resolveConfigPaths(parseTrainConfig(value, path), dirname(resolve(path)));
}

/**
 * Makes the config's relative paths (source, images, backbone, runs and cache folders) relative
 * to `baseDir` (the config file's folder).
 * @example resolveConfigPaths(config, "/data/project")
 */
export function resolveConfigPaths(config: TrainConfig, baseDir: string): TrainConfig {
  const r = (p: string): string => resolve(baseDir, p);
  const source = config.source.kind === "postgres" ? { ...config.source, mediaRoot: r(config.source.mediaRoot ?? ".") } : { ...config.source, path: r(config.source.path) };
  if ("images" in source && source.images !== undefined) source.images = r(source.images);
  if ("frames" in source && source.frames !== undefined) source.frames = r(source.frames);
  return {
    ...config,
    source,
    backbone: config.backbone.path === undefined ? config.backbone : { ...config.backbone, path: r(config.backbone.path) },
    runsDir: r(config.runsDir),
    cacheDir: r(config.cacheDir),
  };
}
