/**
 * The `noop` job kind: walks through the seed's phases, sleeping `ms` in `steps` steps of the
 * training phase. Used to measure queue overhead (benchmarks) and to test the queue with a real,
 * cancellable handler without training a model.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { TrainsetError } from "../../util/errors.js";
import type { JobContext, JobHandler, JobRecord, JsonObject } from "../job-queue.js";

/** Settings of a noop job (all optional). */
export interface NoopJobConfig {
  /** Total time spent "training" (default 0). */
  ms?: number;
  /** Training steps, one progress + epoch event each (default 1). */
  steps?: number;
  /** Fail with this message after the training phase (to test failure paths). */
  fail?: string;
}

function readNoopConfig(config: JsonObject): Required<Omit<NoopJobConfig, "fail">> & { fail?: string } {
  const num = (field: "ms" | "steps", fallback: number, min: number): number => {
    const value = config[field];
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min)
      throw new TrainsetError("VALIDATION_ERROR", `Cannot run noop job: config.${field} must be a number >= ${min}`, { field: `config.${field}` });
    return value;
  };
  const fail = config["fail"];
  if (fail !== undefined && typeof fail !== "string") throw new TrainsetError("VALIDATION_ERROR", "Cannot run noop job: config.fail must be a string", { field: "config.fail" });
  return { ms: num("ms", 0, 0), steps: Math.floor(num("steps", 1, 1)), ...(fail === undefined ? {} : { fail }) };
}

async function step(ms: number, ctx: JobContext): Promise<void> {
  if (ctx.signal.aborted) throw new TrainsetError("ABORTED", "Cannot finish noop job: it was cancelled");
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, { signal: ctx.signal });
  } catch (error) {
    throw new TrainsetError("ABORTED", "Cannot finish noop job: it was cancelled", { cause: error });
  }
}

/**
 * Runs a noop job.
 * @example await queue.submit({ kind: "noop", config: { ms: 500, steps: 5 } });
 */
export const noopHandler: JobHandler = async (job: JobRecord, ctx: JobContext) => {
  const config = readNoopConfig(job.config);
  ctx.progress("loading", 1, "Loaded");
  ctx.progress("preparing", 1, "Prepared");
  for (let s = 1; s <= config.steps; s++) {
    await step(config.ms / config.steps, ctx);
    ctx.progress("training", s / config.steps, `Step ${s}/${config.steps}`);
    if (config.steps > 1) ctx.epoch(s, config.steps, { step: s });
  }
  if (config.fail !== undefined) throw new TrainsetError("VALIDATION_ERROR", config.fail);
  ctx.progress("deploying", 1, "Nothing to deploy");
  return { steps: config.steps, ms: config.ms };
};
