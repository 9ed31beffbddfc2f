/**
 * The config of the training job kinds, in its two accepted shapes:
 * - nested: `{ train: {...trainer config...}, model?, deploy?, force?, gate?, notes? }`;
 * - flat (what the HTTP server submits): trainer keys at the top level beside the job keys, with
 *   `modelName` for `model`, `annotations`/`framesRoot` for a frame-importance source and
 *   `dataset` (a .jsonl legacy file, .json COCO or .csv frame table) for a multilabel source.
 */
import { extname } from "node:path";
import { TrainsetError } from "../../util/errors.js";
import type { JobKind, JsonObject, JsonValue } from "../job-queue.js";

/** Keys that belong to the job, not to the trainer. */
export const JOB_LEVEL_KEYS: ReadonlySet<string> = new Set(["model", "modelName", "deploy", "force", "gate", "notes", "preflight"]);

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function sourceKindOf(path: string): string {
  const ext = extname(path).toLowerCase();
  if (ext === ".jsonl") return "legacy-jsonl";
  if (ext === ".json") return "coco";
  if (ext === ".csv") return "frame-table";
  throw new TrainsetError("VALIDATION_ERROR", `Cannot run multilabel-train job: dataset "${path}" is not .jsonl (legacy), .json (COCO) or .csv (frame table); give source {kind, path} instead`, { field: "config.dataset" });
}

/**
 * The trainer's part of a job config (`config.train`, or built from the flat keys).
 * @example trainSectionOf("frame-importance-train", { annotations: "/s/a.jsonl", numEpochs: 5 }) // { source: { annotations: "/s/a.jsonl" }, numEpochs: 5 }
 */
export function trainSectionOf(kind: JobKind, config: JsonObject): JsonObject {
  const nested = config["train"];
  if (nested !== undefined) {
    if (!isObject(nested)) throw new TrainsetError("VALIDATION_ERROR", `Cannot run ${kind} job: config.train must be an object (the training config)`, { field: "config.train" });
    return nested;
  }
  const train: JsonObject = {};
  for (const [k, v] of Object.entries(config)) if (!JOB_LEVEL_KEYS.has(k) && !["annotations", "framesRoot", "frames_root", "dataset"].includes(k)) train[k] = v;
  const annotations = config["annotations"];
  if (kind === "frame-importance-train" && typeof annotations === "string" && train["source"] === undefined) {
    const framesRoot = config["framesRoot"] ?? config["frames_root"];
    train["source"] = { annotations, ...(typeof framesRoot === "string" ? { framesRoot } : {}) };
  }
  const dataset = config["dataset"];
  if (kind === "multilabel-train" && typeof dataset === "string" && train["source"] === undefined) train["source"] = { kind: sourceKindOf(dataset), path: dataset };
  // The server's generic `lr` is the multilabel trainer's head learning rate.
  if (kind === "multilabel-train" && train["lr"] !== undefined && train["lrHead"] === undefined && train["lr_head"] === undefined) {
    train["lrHead"] = train["lr"];
    delete train["lr"];
  }
  return train;
}
