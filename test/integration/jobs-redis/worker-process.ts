/**
 * A worker process for the multi-worker tests: `node --import tsx worker-process.ts URL STORE`.
 * Its `noop` handler does what a training job does around the training itself: writes a run
 * folder, registers it as a model version (once per job) and writes the `train` audit entry,
 * through the same functions the training kinds use. Prints `ready <worker id>` when started.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { noopHandler } from "../../../kernel/src/jobs/handlers/noop.js";
import { readTrainJobSettings, registerAndDeploy, withTrainAudit } from "../../../kernel/src/jobs/handlers/train-deploy.js";
import type { JobHandler } from "../../../kernel/src/jobs/job-queue.js";
import { openRedisJobQueue } from "../../../kernel/src/jobs/redis/redis-queue.js";

const [url, storeRoot] = process.argv.slice(2);
if (url === undefined || storeRoot === undefined) throw new Error("usage: worker-process.ts URL STORE");

const trainLike: JobHandler = async (job, ctx) =>
  withTrainAudit(job, ctx, { jobId: job.id }, async () => {
    const result = (await noopHandler(job, ctx)) ?? {};
    const runDir = join(ctx.storeRoot, "runs", job.id);
    await mkdir(runDir, { recursive: true });
    await writeFile(join(runDir, "meta.json"), JSON.stringify({ run_id: job.id, metrics: {} }));
    return { ...result, ...(await registerAndDeploy(job, ctx, runDir, readTrainJobSettings({ deploy: false }, "noop-model"))) };
  });

const queue = await openRedisJobQueue(url);
const worker = queue.createWorker({ handlers: { noop: trainLike }, storeRoot, requeueInterrupted: true });
process.on("SIGTERM", () => void worker.stop("requeue"));
process.stdout.write(`ready ${worker.id}\n`);
await worker.run();
await queue.close();
