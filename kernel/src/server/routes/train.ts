/**
 * Seed 004's training routes under `/api/ml/train`: start frame-importance and multilabel jobs
 * (rate-limited per user, idempotent with an `Idempotency-Key` header), job status, cancel, the
 * caller's job list, preflight, history and statistics. Jobs run in the worker process, never here.
 */
import { createHash } from "node:crypto";
import { Type, type FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import type { JobKind, JsonObject } from "../../jobs/job-queue.js";
import { auditStatistics, readAuditHistory } from "../../service/audit-log.js";
import { annotationStats } from "../../service/annotation-store.js";
import { storePaths } from "../../service/store-layout.js";
import { isTrainsetError } from "../../util/errors.js";
import { jobStatusDto, ownedJob } from "../job-dto.js";
import { HttpProblem } from "../problem.js";
import { JobParams, JobStatus, JsonAnswer, NoQuery, problems, StartFrameImportance, StartMultilabel, StartTrainingResponse, type StartFrameImportanceBody } from "../schemas.js";
import type { ServerContext } from "../server-context.js";
import { preflightGate, preflightReport, trainingAnalysis } from "../service-bridge.js";

/** Model name of seed 004's frame-importance model. */
export const FRAME_IMPORTANCE_MODEL = "frame-importance";

const IdempotencyHeaders = Type.Object({ "idempotency-key": Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });

function requestIdFor(request: FastifyRequest): string | undefined {
  const key = request.headers["idempotency-key"];
  if (typeof key !== "string") return undefined;
  // Namespaced by user: the same key from two users never names the same job.
  return createHash("sha256").update(`${request.user}\0${key}`).digest("hex").slice(0, 40);
}

/** The job config the training handlers read: `{model, deploy, force, train: {...}}`. */
async function jobConfig(ctx: ServerContext, body: StartFrameImportanceBody, defaultModel: string, train: JsonObject): Promise<JsonObject> {
  const t: JsonObject = { ...train };
  if (body.backbone !== undefined && body.backbone !== "builtin") t["backbone"] = { kind: "onnx", path: await ctx.guard.resolve(body.backbone, "backbone") };
  if (body.numEpochs !== undefined) t["num_epochs"] = body.numEpochs;
  if (body.batchSize !== undefined) t["batch_size"] = body.batchSize;
  if (body.learningRate !== undefined) t["lr"] = body.learningRate;
  if (body.seed !== undefined) t["seed"] = body.seed;
  return { model: body.modelName ?? defaultModel, deploy: body.deploy ?? true, force: body.force ?? false, train: t };
}

/** Training routes. */
export const trainRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = (app, { ctx }) => {
  // Counted after schema validation (preHandler), per user: malformed requests do not use the budget.
  const rateLimit = { hook: "preHandler" as const, max: ctx.config.jobRateLimit.max, timeWindow: ctx.config.jobRateLimit.windowMs, keyGenerator: (r: FastifyRequest) => `user:${r.user}` };

  async function submit(request: FastifyRequest, kind: JobKind, config: JsonObject): Promise<{ jobId: string; message: string }> {
    const requestId = requestIdFor(request);
    const job = await ctx.queue.submit({ kind, config, user: request.user, ...(requestId === undefined ? {} : { requestId }) });
    request.log.info({ user: request.user, jobId: job.id, kind }, "training job submitted");
    return { jobId: job.id, message: "Training job submitted successfully" };
  }

  app.post(
    "/api/ml/train/frame-importance",
    {
      config: { rateLimit },
      schema: {
        summary: "Start a frame-importance training job on the caller's annotations (preflight first)",
        tags: ["train"],
        headers: IdempotencyHeaders,
        body: StartFrameImportance,
        response: { 200: StartTrainingResponse, ...problems(400, 401, 403, 413, 429) },
      },
    },
    async (request) => {
      const body = request.body;
      const stats = await annotationStats(ctx.config.storeRoot, request.user);
      if (stats.totalAnnotations === 0) throw new HttpProblem(400, "Insufficient Data", "No annotations available for training. Please upload annotations first.");
      await preflightGate(ctx, request.user, stats.totalAnnotations);
      const source = { annotations: storePaths(ctx.config.storeRoot).annotationFile(request.user), framesRoot: ctx.guard.roots[0] ?? ctx.config.storeRoot };
      return submit(request, "frame-importance-train", await jobConfig(ctx, body, FRAME_IMPORTANCE_MODEL, { source }));
    },
  );

  app.post(
    "/api/ml/train/multilabel",
    {
      config: { rateLimit },
      schema: {
        summary: "Start a multilabel (GastroNet-style) training job on an exported dataset inside the server's roots",
        tags: ["train"],
        headers: IdempotencyHeaders,
        body: StartMultilabel,
        response: { 200: StartTrainingResponse, ...problems(400, 401, 403, 413, 429) },
      },
    },
    async (request) => {
      const { dataset, format, ...rest } = request.body;
      const path = await ctx.guard.resolve(dataset, "dataset");
      return submit(request, "multilabel-train", await jobConfig(ctx, rest, "multilabel", { source: { kind: format ?? "frame-table", path } }));
    },
  );

  app.get(
    "/api/ml/train/jobs",
    {
      schema: {
        summary: "The caller's jobs, newest first",
        tags: ["train"],
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ jobs: Type.Array(JobStatus) }), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const jobs = await ctx.queue.list({ user: request.user, limit: request.query.limit ?? 100 });
      return { jobs: jobs.map((j) => jobStatusDto(j, ctx.config.storeRoot)) };
    },
  );

  app.get(
    "/api/ml/train/:jobId/status",
    { schema: { summary: "Status of one of the caller's jobs", tags: ["train"], params: JobParams, querystring: NoQuery, response: { 200: JobStatus, ...problems(400, 401, 403, 404) } } },
    async (request) => jobStatusDto(await ownedJob(ctx, request.params.jobId, request.user), ctx.config.storeRoot),
  );

  app.post(
    "/api/ml/train/:jobId/cancel",
    { schema: { summary: "Cancel a queued or running job (409 when it already ended)", tags: ["train"], params: JobParams, response: { 200: JobStatus, ...problems(400, 401, 403, 404, 409) } } },
    async (request) => {
      const job = await ownedJob(ctx, request.params.jobId, request.user);
      try {
        return jobStatusDto(await ctx.queue.cancel(job.id), ctx.config.storeRoot);
      } catch (error) {
        if (isTrainsetError(error, "CONFLICT")) throw new HttpProblem(409, "Job Already Finished", `Training job ${job.id} cannot be cancelled: it is ${job.state}`, { state: job.state });
        throw error;
      }
    },
  );

  app.get(
    "/api/ml/train/:jobId/analysis",
    { schema: { summary: "Post-training analysis of a completed job: quality score and Accept / Accept with caution / Revert", tags: ["train"], params: JobParams, querystring: NoQuery, response: { 200: JsonAnswer, ...problems(400, 401, 403, 404) } } },
    async (request) => trainingAnalysis(ctx, await ownedJob(ctx, request.params.jobId, request.user)),
  );

  app.get(
    "/api/ml/train/preflight",
    { schema: { summary: "System capabilities check before training (GPU, RAM, disk, annotations, time estimate)", tags: ["train"], querystring: NoQuery, response: { 200: JsonAnswer, ...problems(401, 403) } } },
    async (request) => preflightReport(ctx, request.user),
  );

  app.get(
    "/api/ml/train/history",
    {
      schema: {
        summary: "The caller's audit history (training runs, deploys, reverts), newest first",
        tags: ["train"],
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })), action: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ entries: Type.Array(JsonAnswer) }), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const entries = await readAuditHistory(ctx.config.storeRoot, { user: request.user, limit: request.query.limit ?? 100, ...(request.query.action === undefined ? {} : { action: request.query.action }) });
      return { entries: entries as unknown as Array<Record<string, unknown>> };
    },
  );

  app.get(
    "/api/ml/train/statistics",
    { schema: { summary: "Counts by outcome and action, average and total duration, date range (the caller's entries)", tags: ["train"], querystring: NoQuery, response: { 200: JsonAnswer, ...problems(401, 403) } } },
    async (request) => ({ ...(await auditStatistics(ctx.config.storeRoot, { user: request.user })) }),
  );
  return Promise.resolve();
};
