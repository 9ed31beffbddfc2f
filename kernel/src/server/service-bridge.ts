/**
 * The server's calls into the training service that answer with library-owned shapes: preflight,
 * labeling advice and post-training analysis (seed 004 sections 8, 10, 11).
 */
import type { JobRecord } from "../jobs/job-queue.js";
import { labelingAdvice as buildAdvice } from "../service/advice.js";
import { analyzeRun } from "../service/post-training-analysis.js";
import { preflightProblem, runPreflight } from "../service/preflight.js";
import { HttpProblem } from "./problem.js";
import type { ServerContext } from "./server-context.js";

/** The preflight report for the caller (seed 004's preflight result). */
export async function preflightReport(ctx: ServerContext, user: string): Promise<Record<string, unknown>> {
  return { ...(await runPreflight(ctx.config.storeRoot, { user })) };
}

/** Throws seed 004's `System Requirements Not Met` 400 (with errors, warnings, recommendations) when training may not start. */
export async function preflightGate(ctx: ServerContext, user: string, annotationCount: number): Promise<void> {
  const result = await runPreflight(ctx.config.storeRoot, { user, annotationCount });
  if (result.meetsMinimumRequirements) return;
  const p = preflightProblem(result);
  throw new HttpProblem(400, p.title, p.detail, { errors: p.errors, warnings: p.warnings, recommendations: p.recommendations });
}

/** Labeling advice over the caller's annotations (rating buckets, warnings, recommendations). */
export async function labelingAdvice(ctx: ServerContext, user: string): Promise<Record<string, unknown>> {
  const report = await buildAdvice(ctx.config.storeRoot, { user });
  return { ...report.ratings, ...(report.labelNext === undefined ? {} : { labelNext: report.labelNext }), ...(report.labelNextNote === undefined ? {} : { labelNextNote: report.labelNextNote }) };
}

/** Post-training analysis of a completed job, compared with the active model, or the one its deploy replaced. */
export async function trainingAnalysis(ctx: ServerContext, job: JobRecord): Promise<Record<string, unknown>> {
  if (job.state !== "Completed") throw new HttpProblem(400, "Analysis Not Available", `Analysis only available for completed jobs; training job ${job.id} is ${job.state}`, { state: job.state });
  const runDir = job.result?.["runDir"];
  if (typeof runDir !== "string") throw new HttpProblem(400, "Analysis Not Available", `Training job ${job.id} has no run folder to analyse`);
  const model = job.result?.["model"];
  const previous = job.result?.["previous"];
  // A job that deployed is compared with what was active before it (nothing on a first deploy).
  const compareWith = job.result?.["deployed"] === true ? { compareWith: typeof previous === "string" ? previous : null } : {};
  return { jobId: job.id, ...(await analyzeRun(runDir, { root: ctx.config.storeRoot, jobId: job.id, ...compareWith, ...(typeof model === "string" ? { model } : {}) })) };
}
