/** Job records as seed 004's `TrainingJobStatusDto`, and lookups that hide other users' jobs. */
import { join } from "node:path";
import type { Static } from "@fastify/type-provider-typebox";
import { storePaths } from "../service/store-layout.js";
import type { JobRecord } from "../jobs/job-queue.js";
import { isTrainsetError } from "../util/errors.js";
import { HttpProblem } from "./problem.js";
import type { JobStatus } from "./schemas.js";
import type { ServerContext } from "./server-context.js";

/** Seed 004's 404 for an unknown (or someone else's) job. */
export function jobNotFoundProblem(id: string): HttpProblem {
  return new HttpProblem(404, "Job Not Found", `Training job ${id} does not exist`);
}

/**
 * The job if it exists and belongs to `user`; otherwise the same 404 either way, so a user cannot
 * learn which ids other users' jobs have.
 */
export async function ownedJob(ctx: ServerContext, id: string, user: string): Promise<JobRecord> {
  let job: JobRecord;
  try {
    job = await ctx.queue.get(id);
  } catch (error) {
    if (isTrainsetError(error, "NOT_FOUND")) throw jobNotFoundProblem(id);
    throw error;
  }
  if (job.user !== user) throw jobNotFoundProblem(id);
  return job;
}

function stringField(record: JobRecord, ...names: string[]): string | null {
  for (const name of names) {
    const value = record.result?.[name];
    if (typeof value === "string") return value;
  }
  return null;
}

/** Aura's `modelPath`: the registered version's folder when the job made one, else its run folder. */
function modelPath(job: JobRecord, storeRoot: string | undefined): string | null {
  const model = stringField(job, "model");
  const version = stringField(job, "version");
  if (storeRoot !== undefined && model !== null && version !== null) return join(storePaths(storeRoot).modelDir(model), "versions", version);
  return stringField(job, "modelPath", "runDir");
}

/** The status answer of a job (`storeRoot` turns the registered version into a model path). */
export function jobStatusDto(job: JobRecord, storeRoot?: string): Static<typeof JobStatus> {
  return {
    jobId: job.id,
    kind: job.kind,
    state: job.state,
    progress: job.progress.percent,
    phase: job.progress.phase,
    message: job.progress.message,
    metrics: job.metrics ?? null,
    modelPath: modelPath(job, storeRoot),
    error: job.error ?? null,
    createdAt: job.createdAt,
    startedAt: job.startedAt ?? null,
    completedAt: job.finishedAt ?? null,
  };
}
