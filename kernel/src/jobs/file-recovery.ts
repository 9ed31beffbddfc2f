/**
 * Crash recovery of the file queue: jobs left Running by a dead worker end Failed with the reason,
 * or go back to Queued (`requeue`) while attempts remain; a full pass also repairs the indexes
 * after a crash between a record write and its index entry.
 */
import type { FileJobStore } from "./file-job-store.js";
import type { JobEvent, JobRecord } from "./job-queue.js";
import { forgetWorker, workerDeathReason } from "./worker-liveness.js";
import { join } from "node:path";

/** Options of {@link recoverInterruptedJobs}. */
export interface RecoverOptions {
  /** Scan every job and repair the indexes (worker start), not just the `running/` index. */
  full: boolean;
  /** The worker doing the recovery and the jobs it runs itself (never touched). */
  workerId: string;
  runningHere: ReadonlySet<string>;
  /** Re-queue while `attempts < maxAttempts` instead of failing. */
  requeue: boolean;
  /** Heartbeat age after which a worker on another host is dead. */
  leaseMs: number;
  onEvent?: (event: JobEvent) => void;
}

/** A copy of the record without the given optional fields. */
export function without<K extends "error" | "cancelRequestedAt" | "workerId" | "startedAt">(job: JobRecord, ...keys: K[]): Omit<JobRecord, K> {
  const copy: Partial<JobRecord> = { ...job };
  for (const key of keys) delete copy[key];
  return copy as Omit<JobRecord, K>;
}

/**
 * One recovery pass over the store.
 * @example await recoverInterruptedJobs(store, { full: true, workerId, runningHere: new Set(), requeue: false, leaseMs: 30_000 });
 */
export async function recoverInterruptedJobs(store: FileJobStore, options: RecoverOptions): Promise<void> {
  const workersDir = join(store.dir, "workers");
  const ids = options.full ? await store.listIds() : await store.listIndex("running");
  if (options.full) {
    // Index entries whose job is gone or in another state (a crash between record and index).
    for (const index of ["queued", "running"] as const)
      for (const id of await store.listIndex(index)) {
        const job = await store.tryRead(id);
        if (job === undefined || job.state !== (index === "queued" ? "Queued" : "Running")) await store.setIndex(index, id, undefined);
      }
  }
  for (const id of ids) {
    const job = await store.tryRead(id);
    if (job === undefined) continue;
    if (options.full && (job.state === "Queued" || job.state === "Running")) await store.syncIndexes(job);
    if (job.state !== "Running" || options.runningHere.has(id)) continue;
    const owner = job.workerId ?? "unknown";
    const death = owner === options.workerId ? `worker ${owner} lost track of it` : await workerDeathReason(workersDir, owner, options.leaseMs);
    if (death === undefined) continue;
    await store.update(
      id,
      (cur) => {
        if (cur.state !== "Running" || cur.workerId !== job.workerId) return undefined;
        if (options.requeue && cur.attempts < cur.maxAttempts) {
          const reason = `Requeued: ${death} (attempt ${cur.attempts} of ${cur.maxAttempts} interrupted)`;
          const rest = without(cur, "workerId", "startedAt", "cancelRequestedAt");
          return { record: { ...rest, state: "Queued", progress: { phase: "loading", percent: 0, message: reason } }, events: [{ type: "state", state: "Queued", reason }] };
        }
        const tail = options.requeue ? ` after ${cur.attempts} of ${cur.maxAttempts} attempts` : "; resubmit it, or run workers with --requeue-interrupted to retry such jobs";
        const error = `Job was interrupted: ${death} while it was running${tail}`;
        return {
          record: { ...cur, state: "Failed", finishedAt: new Date().toISOString(), error, progress: { ...cur.progress, message: error } },
          events: [{ type: "state", state: "Failed", reason: error }],
        };
      },
      { onWritten: (events) => events.forEach((e) => options.onEvent?.(e)) },
    );
    if (owner !== options.workerId) await forgetWorker(workersDir, owner);
  }
}
