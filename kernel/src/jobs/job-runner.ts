/**
 * Runs one job's handler with a {@link JobContext} and turns what happens into an outcome; shared
 * by every backend so progress, cancel and failure mean the same thing everywhere.
 */
import { errorMessage, isTrainsetError } from "../util/errors.js";
import {
  phasePercent,
  PHASE_BANDS,
  type JobContext,
  type JobEventBody,
  type JobHandler,
  type JobPhase,
  type JobRecord,
  type JsonObject,
} from "./job-queue.js";

/** How a handler run ended. */
export type JobOutcome =
  | { state: "Completed"; result?: JsonObject }
  | { state: "Failed"; error: string }
  | { state: "Cancelled"; error: string };

/** Options of {@link runJobHandler}. */
export interface RunJobHandlerOptions {
  handler: JobHandler | undefined;
  storeRoot: string;
  workerId: string;
  /** Fires on cancel or worker shutdown; its reason (an Error or string) becomes the message. */
  signal: AbortSignal;
  /** Receives every event the handler reports, in order; the backend stores it. */
  emit: (body: JobEventBody) => void;
}

/** The message of a cancellation, from the signal's reason (default Aura's `Job was cancelled`). */
export function cancelReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === "string" && reason !== "") return reason;
  if (reason instanceof Error && reason.name !== "AbortError" && reason.message !== "") return reason.message;
  return "Job was cancelled";
}

/** Builds the context a handler sees; progress percent never goes backwards. */
export function createJobContext(job: JobRecord, options: Omit<RunJobHandlerOptions, "handler">): JobContext {
  let percent = job.progress.percent;
  let current: JobPhase = job.progress.phase;
  const rank = (phase: JobPhase): number => PHASE_BANDS[phase][0];
  return {
    signal: options.signal,
    storeRoot: options.storeRoot,
    workerId: options.workerId,
    progress(phase: JobPhase, fraction: number, message?: string): void {
      // A late tick of an earlier phase keeps the later phase and percent; only its message shows.
      if (rank(phase) >= rank(current)) current = phase;
      percent = Math.max(percent, phasePercent(current === phase ? phase : current, current === phase ? fraction : 0));
      options.emit({ type: "progress", progress: { phase: current, percent, message: message ?? phase } });
    },
    epoch(epoch: number, epochs: number, metrics: Record<string, number>): void {
      const clean: Record<string, number> = {};
      for (const [k, v] of Object.entries(metrics)) if (Number.isFinite(v)) clean[k] = v;
      options.emit({ type: "epoch", epoch, epochs, metrics: clean });
    },
    log(message: string, level = "info"): void {
      options.emit({ type: "log", level, message });
    },
  };
}

/**
 * Runs the handler; never throws. A throw after the signal fired (or an ABORTED error) ends
 * Cancelled, any other throw Failed with its message.
 */
export async function runJobHandler(job: JobRecord, options: RunJobHandlerOptions): Promise<JobOutcome> {
  if (options.handler === undefined)
    return { state: "Failed", error: `Cannot run job ${job.id}: worker ${options.workerId} has no handler for kind "${job.kind}"` };
  const ctx = createJobContext(job, options);
  try {
    // A handler that returned did its work (a model may be deployed): that is Completed even if
    // a cancel arrived in the last moment.
    const result = await options.handler(job, ctx);
    return result === undefined ? { state: "Completed" } : { state: "Completed", result };
  } catch (error) {
    if (options.signal.aborted || isTrainsetError(error, "ABORTED")) {
      return { state: "Cancelled", error: options.signal.aborted ? cancelReason(options.signal) : errorMessage(error) };
    }
    return { state: "Failed", error: errorMessage(error) };
  }
}
