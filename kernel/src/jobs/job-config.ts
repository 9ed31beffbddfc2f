/**
 * Turns a config file given to `trainset jobs submit` into a job config: relative paths become
 * absolute (the worker may run elsewhere), and training configs are checked before anything is
 * queued, so a typo fails the submit, not the job an hour later.
 */
import { isAbsolute, resolve } from "node:path";
import { parseTrainConfig } from "../train/train-config.js";
import { TrainsetError } from "../util/errors.js";
import { frameImportanceConfigOf } from "./handlers/frame-importance-train.js";
import { JOB_LEVEL_KEYS, trainSectionOf } from "./handlers/train-job-config.js";
import type { JobKind, JsonObject, JsonValue } from "./job-queue.js";

const PATH_KEYS = new Set(["path", "images", "frames", "annotations", "framesRoot", "frames_root", "runsDir", "runs_dir", "cacheDir", "cache_dir", "dataset"]);
const NESTED = new Set(["source", "backbone"]);

function absolutize(obj: JsonObject, baseDir: string, depth = 0): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === "string" && PATH_KEYS.has(k) && v !== "" && !isAbsolute(v)) out[k] = resolve(baseDir, v);
    else if (depth === 0 && NESTED.has(k) && isObject(v)) out[k] = absolutize(v, baseDir, depth + 1);
    else out[k] = v;
  }
  return out;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The job config for `kind` from a parsed config file in `baseDir`. Training kinds accept either
 * `{ train: {...}, model?, deploy?, force?, gate? }` or a bare training config.
 * @example prepareJobConfig("multilabel-train", JSON.parse(text), dirname(file), file)
 */
export function prepareJobConfig(kind: JobKind, value: unknown, baseDir: string, file = "<config>"): JsonObject {
  if (value !== undefined && !isObject(value as JsonValue))
    throw new TrainsetError("VALIDATION_ERROR", `Cannot submit ${kind} job: "${file}" must hold a JSON object`, { file });
  const obj = (value ?? {}) as JsonObject;
  if (kind === "noop") return obj;
  const wrapped = isObject(obj["train"]);
  const jobLevel: JsonObject = {};
  const bare: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) (JOB_LEVEL_KEYS.has(k) || k === "train" ? jobLevel : bare)[k] = v;
  // A bare file is a training config, possibly with job keys (model, deploy…) beside it.
  const train = absolutize(trainSectionOf(kind, wrapped ? { train: obj["train"] ?? {} } : absolutize(bare, baseDir)), baseDir);
  delete jobLevel["train"];
  const config: JsonObject = { ...jobLevel, train };
  if (kind === "multilabel-train") parseTrainConfig(train, file);
  else frameImportanceConfigOf(train, { runsDir: baseDir, runId: "check", cacheDir: baseDir, annotations: baseDir });
  return config;
}
