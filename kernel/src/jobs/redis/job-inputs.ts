/**
 * Before a Redis worker runs a training job it checks that the job's dataset is readable on its
 * machine: with workers on several machines, a dataset outside the shared storage is the usual
 * mistake, and it deserves a clearer message than a failed read deep inside training.
 */
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { storePaths } from "../../service/store-layout.js";
import { ioError } from "../../util/errors.js";
import { trainSectionOf } from "../handlers/train-job-config.js";
import type { JobRecord, JsonObject, JsonValue } from "../job-queue.js";

/** The dataset files a job reads (absolute paths), from either config shape (nested or flat). */
export function jobInputPaths(job: JobRecord, storeRoot: string): string[] {
  if (job.kind !== "multilabel-train" && job.kind !== "frame-importance-train") return [];
  let train: JsonObject;
  try {
    train = trainSectionOf(job.kind, job.config);
  } catch {
    return []; // a malformed config fails in the handler, with the handler's message
  }
  const source = asObject(train["source"]);
  if (job.kind === "multilabel-train") return absolute([source?.["path"]]);
  if (source === undefined) return [storePaths(storeRoot).annotationFile(job.user)];
  return absolute([source["annotations"]]);
}

/**
 * Returns why the job cannot run here (its dataset is not readable on this machine), or
 * undefined when every input is readable.
 */
export async function checkJobInputs(job: JobRecord, storeRoot: string, workerId: string): Promise<string | undefined> {
  for (const path of jobInputPaths(job, storeRoot)) {
    try {
      await access(path, constants.R_OK);
    } catch (error: unknown) {
      const reason = ioError("read", path, error).message.replace(/^Cannot read "[^"]*": /, "");
      return `Cannot run job ${job.id} on worker ${workerId}: its dataset "${path}" is not readable on this machine (${reason}); every worker must see the datasets and the store at the same path (shared storage)`;
    }
  }
  return undefined;
}

function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
}

function absolute(values: ReadonlyArray<JsonValue | undefined>): string[] {
  return values.filter((v): v is string => typeof v === "string" && isAbsolute(v));
}
