/**
 * The `frame-importance-train` job kind (seed 004's retraining): trains the frame-importance head
 * on rated frames, by default the submitting user's annotation store, then registers and deploys
 * the run as a version of `frame-importance`.
 *
 * Job config: `{ train?: { source?: {annotations, framesRoot?} | {items}, backbone?, num_epochs?, … },
 * model?: "frame-importance", deploy?: true, force?: false, gate?, notes? }` or the flat form of
 * train-job-config.ts (`{ annotations, framesRoot, modelName, numEpochs, deploy }`). Training on the
 * user's store runs the seed's preflight first (`preflight: false` skips it). Without a source the user's
 * `<store>/annotations/<user>/annotations.jsonl` is used (Aura: `No annotations found for training`).
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { assertPreflight, runPreflight } from "../../service/preflight.js";
import { storePaths } from "../../service/store-layout.js";
import type { BackboneSpec } from "../../train/backbone.js";
import { trainFrameImportance, type FrameImportanceConfig } from "../../train/frame-importance.js";
import type { ImportanceSource } from "../../train/importance-items.js";
import { TrainsetError } from "../../util/errors.js";
import type { JobContext, JobHandler, JobRecord, JsonObject, JsonValue } from "../job-queue.js";
import { hasKey } from "./multilabel-train.js";
import { trainProgressBridge } from "./train-progress.js";
import { readTrainJobSettings, registerAndDeploy, withTrainAudit } from "./train-deploy.js";
import { trainSectionOf } from "./train-job-config.js";

const camel = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const KNOWN = new Set(["source", "backbone", "runsDir", "runId", "cacheDir", "head", "hiddenUnits", "dropout", "loss", "numEpochs", "batchSize", "lr", "warmupEpochs", "minLr", "weightDecay", "valSplit", "testSplit", "seed", "tfBackend", "minItems"]);

function stringOption(given: Record<string, JsonValue>, key: string): string {
  const value = given[key];
  if (typeof value !== "string" || value === "")
    throw new TrainsetError("VALIDATION_ERROR", `Cannot run frame-importance-train job: config.train.${key} must be a non-empty string`, { field: `config.train.${key}` });
  return value;
}

/** Builds the trainer config from a job's `config.train` (snake_case or camelCase keys). */
export function frameImportanceConfigOf(raw: JsonObject, defaults: { runsDir: string; runId: string; cacheDir: string; annotations: string }): FrameImportanceConfig {
  const given: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = camel(k);
    if (!KNOWN.has(key)) throw new TrainsetError("VALIDATION_ERROR", `Cannot run frame-importance-train job: config.train.${k} is not a known option`, { field: `config.train.${k}` });
    given[key] = v;
  }
  const source = (given["source"] ?? { annotations: defaults.annotations }) as unknown as ImportanceSource;
  return {
    ...(given as unknown as Partial<FrameImportanceConfig>),
    source,
    backbone: (given["backbone"] ?? { kind: "builtin" }) as unknown as BackboneSpec,
    runsDir: hasKey(raw, "runs_dir") ? stringOption(given, "runsDir") : defaults.runsDir,
    runId: hasKey(raw, "run_id") ? stringOption(given, "runId") : defaults.runId,
    cacheDir: hasKey(raw, "cache_dir") ? stringOption(given, "cacheDir") : defaults.cacheDir,
  };
}

/**
 * Runs a frame-importance training job.
 * @example await queue.submit({ kind: "frame-importance-train", config: { train: { num_epochs: 20 } }, user: "ana" });
 */
export const frameImportanceTrainHandler: JobHandler = async (job, ctx) => {
  const settings = readTrainJobSettings(job.config, "frame-importance");
  const rawTrain = trainSectionOf("frame-importance-train", job.config);
  const paths = storePaths(ctx.storeRoot);
  const config = frameImportanceConfigOf(rawTrain, {
    runsDir: paths.runs,
    runId: `${job.id}-a${job.attempts}`,
    cacheDir: join(ctx.storeRoot, "embeddings"),
    annotations: paths.annotationFile(job.user),
  });
  const details: JsonObject = { kind: job.kind, modelName: settings.model, epochs: config.numEpochs ?? 50 };
  return withTrainAudit(job, ctx, details, async () => {
    ctx.progress("loading", 0, "Loading annotations");
    if ("annotations" in config.source && !(await stat(config.source.annotations).then(() => true, () => false)))
      throw new TrainsetError("NOT_FOUND", `No annotations found for training (user "${job.user}": "${config.source.annotations}" does not exist)`, { file: config.source.annotations });
    const estimate = await preflightFor(job, ctx, config.source, settings.preflight);
    const bridge = trainProgressBridge(ctx);
    const { runDir, meta } = await trainFrameImportance(config, {
      signal: ctx.signal,
      onProgress: bridge.onProgress,
      onEpoch: (e) => bridge.onEpoch(e.epoch, e.epochs, { train_loss: e.train_loss, val_mae: e.val_mae, val_rmse: e.val_rmse, val_spearman: e.val_spearman, lr: e.lr }),
    });
    ctx.log(`Trained ${meta.epochs_run ?? 0} epochs on ${meta.data.frames} frames; test MAE ${meta.test_metrics?.mae ?? "n/a"}; run folder ${runDir}`);
    ctx.progress("training", 1, `Trained ${meta.epochs_run ?? 0} epochs`);
    const deployed = await registerAndDeploy(job, ctx, runDir, settings);
    return estimate === undefined ? deployed : { ...deployed, estimatedMinutes: estimate };
  });
};

/**
 * Seed 004's preflight on the user's own annotation store (the blocked-training error when a
 * minimum is not met; warnings go to the job log). Returns the time estimate in minutes.
 */
async function preflightFor(job: JobRecord, ctx: JobContext, source: ImportanceSource, enabled: boolean): Promise<number | undefined> {
  const own = "annotations" in source && resolve(source.annotations) === storePaths(ctx.storeRoot).annotationFile(job.user);
  if (!enabled || !own) {
    ctx.log(enabled ? "Preflight skipped: the ratings do not come from the user's annotation store" : "Preflight skipped (preflight: false)");
    return undefined;
  }
  ctx.progress("loading", 0.3, "Preflight: checking RAM, disk and annotation count");
  const result = await runPreflight(ctx.storeRoot, { user: job.user });
  for (const warning of result.warnings) ctx.log(`Preflight: ${warning}`, "warn");
  assertPreflight(result);
  ctx.log(`Preflight passed: ${result.annotationCount} annotations, estimated ${result.estimatedMinutes} minutes`);
  return result.estimatedMinutes;
}
