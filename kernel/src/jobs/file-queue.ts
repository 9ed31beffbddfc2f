/**
 * The embedded job queue: jobs persisted as files under `<store>/jobs/` (layout and locking in
 * file-job-store.ts). Any number of processes may submit, read and cancel at once; workers on the
 * same store share the work (see file-worker.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { withJobLock } from "./job-lock.js";
import { isTrainsetError, TrainsetError } from "../util/errors.js";
import { FileJobStore, isJobId, newJobId } from "./file-job-store.js";
import { FileJobWorker } from "./file-worker.js";
import {
  isTerminalState,
  jobNotFound,
  matchesJobFilter,
  newJobRecord,
  sortAndLimitJobs,
  validateSubmission,
  type CancelJobOptions,
  type JobEvent,
  type JobListFilter,
  type JobQueue,
  type JobRecord,
  type JobSubmission,
  type JobWorker,
  type JobWorkerOptions,
  type ReadEventsOptions,
  type WaitForEventsOptions,
} from "./job-queue.js";
import { join } from "node:path";

/** Options of {@link openFileJobQueue}. */
export interface FileJobQueueOptions {
  /** How often waitForEvents looks for new events (default 100 ms). */
  pollMs?: number;
}

/** The file-backed {@link JobQueue}. */
export class FileJobQueue implements JobQueue {
  readonly backend = "file";
  readonly location: string;
  private readonly pollMs: number;

  constructor(readonly store: FileJobStore, options: FileJobQueueOptions = {}) {
    this.location = store.dir;
    this.pollMs = options.pollMs ?? 100;
  }

  async submit(submission: JobSubmission): Promise<JobRecord> {
    const valid = validateSubmission(submission);
    if (valid.requestId === undefined) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.store.create(newJobRecord(newJobId(), valid), "Job submitted");
        } catch (error) {
          // Two processes drew the same id in the same millisecond: draw again.
          if (!isTrainsetError(error, "CONFLICT") || attempt >= 5) throw error;
        }
      }
    }
    const key = valid.requestId;
    // The key is written before the job, under a lock: a retry after a crash in between finishes
    // the same job id instead of recording a second one.
    return withJobLock(join(this.store.dir, "requests", key), async () => {
      const known = await this.store.requestJobId(key);
      if (known !== undefined) {
        const existing = await this.store.tryRead(known);
        if (existing !== undefined) return existing;
      }
      const id = known ?? newJobId();
      if (known === undefined) await this.store.writeRequestJobId(key, id);
      return this.store.create(newJobRecord(id, valid), "Job submitted");
    });
  }

  async get(id: string): Promise<JobRecord> {
    return this.store.read(id);
  }

  async list(filter: JobListFilter = {}): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    for (const id of await this.store.listIds()) {
      const job = await this.store.tryRead(id);
      if (job !== undefined && matchesJobFilter(job, filter)) out.push(job);
    }
    return sortAndLimitJobs(out, filter.limit);
  }

  async cancel(id: string, options: CancelJobOptions = {}): Promise<JobRecord> {
    const reason = options.reason ?? "Job was cancelled";
    const seen: { terminal?: JobRecord } = {};
    const job = await this.store.update(id, (current) => {
      if (isTerminalState(current.state)) {
        seen.terminal = current;
        return undefined;
      }
      const now = new Date().toISOString();
      if (current.state === "Queued")
        return {
          record: { ...current, state: "Cancelled", error: reason, finishedAt: now, progress: { ...current.progress, message: reason } },
          events: [{ type: "state", state: "Cancelled", reason }],
        };
      if (current.cancelRequestedAt !== undefined) return undefined;
      return {
        record: { ...current, cancelRequestedAt: now, error: reason },
        events: [{ type: "log", level: "warn", message: `Cancel requested: ${reason}` }],
      };
    });
    if (seen.terminal !== undefined)
      throw new TrainsetError("CONFLICT", `Cannot cancel job ${id}: it is already ${seen.terminal.state}`, { field: "state" });
    return job;
  }

  async readEvents(id: string, options: ReadEventsOptions = {}): Promise<JobEvent[]> {
    return this.store.readEvents(id, options.afterSeq ?? 0, options.limit);
  }

  async waitForEvents(id: string, options: WaitForEventsOptions = {}): Promise<JobEvent[]> {
    if (!isJobId(id)) throw jobNotFound(id);
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const after = options.afterSeq ?? 0;
    for (;;) {
      const job = await this.store.read(id);
      if (job.lastSeq > after) {
        const events = await this.store.readEvents(id, after, options.limit);
        if (events.length > 0) return events;
      }
      if (isTerminalState(job.state) || options.signal?.aborted === true || Date.now() >= deadline) return [];
      await sleep(Math.min(this.pollMs, Math.max(1, deadline - Date.now())), undefined, options.signal === undefined ? {} : { signal: options.signal }).catch(() => undefined);
    }
  }

  createWorker(options: JobWorkerOptions): JobWorker {
    return new FileJobWorker(this.store, options);
  }

  async close(): Promise<void> {
    /* nothing held open between calls */
  }
}

/**
 * Opens (creating if needed) the file queue in `dir` (usually `<store>/jobs`).
 * @example const queue = await openFileJobQueue(storePaths(resolveStoreRoot()).jobs);
 */
export async function openFileJobQueue(dir: string, options: FileJobQueueOptions = {}): Promise<FileJobQueue> {
  const store = new FileJobStore(dir);
  await store.init();
  return new FileJobQueue(store, options);
}
