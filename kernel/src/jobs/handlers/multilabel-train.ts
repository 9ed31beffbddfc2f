/**
 * The `multilabel-train` job kind: runs `train()` (lx-ai's multilabel recipe) with the job's
 * `train` config, then registers and deploys the run (see train-deploy.ts).
 *
 * Job config: `{ train: <train config as for `trainset train`, paths absolute>, model?: "multilabel",
 * deploy?: true, force?: false, gate?: {metric?, threshold?}, notes? }`, or the flat form of
 * train-job-config.ts. Without `runs_dir` / `cache_dir`
 * the run goes to `<store>/runs/<job id>-a<attempt>` and the embeddings cache to `<store>/embeddings`.
 */
import { join } from "node:path";
import { storePaths } from "../../service/store-layout.js";
import { parseTrainConfig } from "../../train/train-config.js";
import { train } from "../../train/train.js";
import type { JobHandler, JsonObject } from "../job-queue.js";
import { trainProgressBridge } from "./train-progress.js";
import { readTrainJobSettings, registerAndDeploy, withTrainAudit } from "./train-deploy.js";
import { trainSectionOf } from "./train-job-config.js";

/** True when the object sets `snake` or its camelCase form. */
export function hasKey(obj: JsonObject, snake: string): boolean {
  return obj[snake] !== undefined || obj[snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] !== undefined;
}

/**
 * Runs a multilabel training job.
 * @example await queue.submit({ kind: "multilabel-train", config: { train: { source: { kind: "coco", path: "/data/coco.json" }, num_epochs: 5 } } });
 */
export const multilabelTrainHandler: JobHandler = async (job, ctx) => {
  const settings = readTrainJobSettings(job.config, "multilabel");
  const raw = trainSectionOf("multilabel-train", job.config);
  const paths = storePaths(ctx.storeRoot);
  const config = parseTrainConfig(raw, `job ${job.id} config.train`);
  if (!hasKey(raw, "runs_dir")) config.runsDir = paths.runs;
  if (!hasKey(raw, "cache_dir")) config.cacheDir = join(ctx.storeRoot, "embeddings");
  if (!hasKey(raw, "run_id")) config.runId = `${job.id}-a${job.attempts}`;
  const details: JsonObject = { kind: job.kind, modelName: settings.model, epochs: config.numEpochs, source: config.source.path };
  return withTrainAudit(job, ctx, details, async () => {
    ctx.progress("loading", 0, `Loading ${config.source.kind} "${config.source.path}"`);
    const bridge = trainProgressBridge(ctx);
    const { runDir, meta } = await train(config, {
      signal: ctx.signal,
      onProgress: bridge.onProgress,
      onEpoch: (e) => bridge.onEpoch(e.epoch, e.epochs, { train_loss: e.train_loss, val_loss: e.val_loss, test_loss: e.test_loss, val_map: e.val_map, val_macro_f1: e.val_macro_f1, lr: e.lr }),
    });
    ctx.progress("training", 1, `Trained ${meta.epochs_run ?? 0} epochs`);
    ctx.log(`Run folder ${runDir}`);
    return registerAndDeploy(job, ctx, runDir, settings);
  });
};
