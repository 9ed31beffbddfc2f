/**
 * A worker of the file queue: claims Queued jobs FIFO under each job's lock, runs their handlers
 * (`concurrency` at a time), polls for cancel requests, and recovers jobs whose worker died.
 */
import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { isTrainsetError } from "../util/errors.js";
import type { FileJobStore } from "./file-job-store.js";
import { runJobHandler, type JobOutcome } from "./job-runner.js";
import type { JobEventBody, JobRecord, JobWorker, JobWorkerOptions, WorkerStopMode } from "./job-queue.js";
import { recoverInterruptedJobs, without } from "./file-recovery.js";
import { newWorkerId, registerWorker } from "./worker-liveness.js";

/** File-queue specific worker settings (defaults suit one machine). */
export interface FileJobWorkerOptions extends JobWorkerOptions {
  /** Longest idle sleep between looks at the queue (default 250 ms; a file watch wakes it sooner). */
  pollMs?: number;
  /** How often a running job's record is checked for a cancel request (default 250 ms). */
  cancelPollMs?: number;
  /** How often jobs of dead workers are looked for (default 2000 ms). */
  recoverMs?: number;
  /** A worker on another host is dead after this long without heartbeat (default 30000 ms). */
  leaseMs?: number;
}

interface RunningJob {
  controller: AbortController;
  stoppedBy?: WorkerStopMode;
  done: Promise<void>;
}

/** The file-queue {@link JobWorker}. */
export class FileJobWorker implements JobWorker {
  readonly id = newWorkerId();
  private readonly running = new Map<string, RunningJob>();
  private stopping: WorkerStopMode | undefined;
  private wakeUp: (() => void) | undefined;
  private runPromise: Promise<void> | undefined;
  private readonly workersDir: string;

  constructor(private readonly store: FileJobStore, private readonly options: FileJobWorkerOptions) {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`Cannot start worker: concurrency must be a positive integer, got ${String(concurrency)}`);
    this.workersDir = join(store.dir, "workers");
  }

  run(): Promise<void> {
    this.runPromise ??= this.loop();
    return this.runPromise;
  }

  async stop(mode: WorkerStopMode = "requeue"): Promise<void> {
    this.stopping ??= mode;
    for (const job of this.running.values()) this.abortForStop(job);
    this.wake();
    await this.runPromise;
  }

  private abortForStop(job: RunningJob): void {
    const mode = this.stopping;
    if (mode === undefined || mode === "wait" || job.controller.signal.aborted) return;
    job.stoppedBy = mode;
    job.controller.abort(mode === "cancel" ? "Worker shut down" : "Worker shut down; job requeued");
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    const registration = await registerWorker(this.workersDir, this.id);
    const heartbeat = setInterval(() => void registration.beat().catch((error: unknown) => this.options.onError?.(error)), 2000);
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(join(this.store.dir, "queued"), () => this.wake());
      watcher.on("error", () => undefined);
    } catch {
      watcher = undefined; // polling alone still works
    }
    try {
      await this.guard(() => this.recover(true));
      let lastRecover = Date.now();
      const concurrency = this.options.concurrency ?? 1;
      while (this.stopping === undefined) {
        let claimedNone = false;
        while (this.running.size < concurrency && this.stopping === undefined) {
          const job = await this.guard(() => this.claimNext());
          if (job === undefined) {
            claimedNone = true;
            break;
          }
          this.start(job);
        }
        if (this.options.once === true && claimedNone && this.running.size === 0) break;
        await this.idle(this.options.pollMs ?? 250);
        if (Date.now() - lastRecover >= (this.options.recoverMs ?? 2000)) {
          await this.guard(() => this.recover(false));
          lastRecover = Date.now();
        }
      }
      await Promise.all([...this.running.values()].map((j) => j.done));
    } finally {
      clearInterval(heartbeat);
      watcher?.close();
      await registration.remove().catch(() => undefined);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.options.onError?.(error);
      return undefined;
    }
  }

  /** Claims the oldest Queued job, or returns undefined when there is none. */
  private async claimNext(): Promise<JobRecord | undefined> {
    for (const id of await this.store.listIndex("queued")) {
      let claimed = false as boolean;
      let record: JobRecord;
      try {
        record = await this.store.update(
          id,
          (job) => {
            if (job.state !== "Queued") return undefined;
            claimed = true;
            const rest = without(job, "error", "cancelRequestedAt");
            const attempts = job.attempts + 1;
            return {
              record: { ...rest, state: "Running", startedAt: new Date().toISOString(), attempts, workerId: this.id, progress: { phase: "loading", percent: 0, message: "Started" } },
              events: [{ type: "state", state: "Running", reason: `Started by worker ${this.id} (attempt ${attempts} of ${job.maxAttempts})` }],
            };
          },
          { onWritten: (events) => events.forEach((e) => this.options.onEvent?.(e)) },
        );
      } catch (error) {
        if (isTrainsetError(error, "NOT_FOUND")) {
          await this.store.setIndex("queued", id, undefined);
          continue;
        }
        throw error;
      }
      if (claimed) return record;
      if (record.state !== "Queued") await this.store.setIndex("queued", id, undefined);
    }
    return undefined;
  }

  private start(job: JobRecord): void {
    const controller = new AbortController();
    const entry: RunningJob = { controller, done: Promise.resolve() };
    this.running.set(job.id, entry);
    // A stop that came while this job was being claimed applies to it too.
    this.abortForStop(entry);
    entry.done = this.execute(job, entry).finally(() => {
      this.running.delete(job.id);
      this.wake();
    });
  }

  private async execute(job: JobRecord, entry: RunningJob): Promise<void> {
    const pending: JobEventBody[] = [];
    let flushing: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      flushing = flushing.then(async () => {
        if (pending.length === 0) return;
        const batch = pending.splice(0);
        await this.guard(() =>
          this.store.update(job.id, (cur) => (this.owns(cur) ? { record: applyEvents(cur, batch), events: batch } : undefined), {
            onWritten: (events) => events.forEach((e) => this.options.onEvent?.(e)),
          }),
        );
      });
      return flushing;
    };
    const cancelPoll = setInterval(() => {
      void this.guard(async () => {
        const cur = await this.store.tryRead(job.id);
        if (entry.controller.signal.aborted || cur === undefined) return;
        if (!this.owns(cur)) entry.controller.abort(`Job was taken over: ${cur.state} on ${cur.workerId ?? "no worker"}`);
        else if (cur.cancelRequestedAt !== undefined) entry.controller.abort(cur.error ?? "Job was cancelled");
      });
    }, this.options.cancelPollMs ?? 250);
    let outcome: JobOutcome;
    try {
      outcome = await runJobHandler(job, {
        handler: this.options.handlers[job.kind],
        storeRoot: this.options.storeRoot,
        workerId: this.id,
        signal: entry.controller.signal,
        emit: (body) => {
          pending.push(body);
          void flush();
        },
      });
    } finally {
      clearInterval(cancelPoll);
    }
    await flush();
    await this.guard(() => this.finish(job.id, outcome, entry.stoppedBy));
  }

  private owns(job: JobRecord): boolean {
    return job.state === "Running" && job.workerId === this.id;
  }

  private async finish(id: string, outcome: JobOutcome, stoppedBy: WorkerStopMode | undefined): Promise<void> {
    await this.store.update(
      id,
      (cur) => {
        if (!this.owns(cur)) return undefined;
        const now = new Date().toISOString();
        if (outcome.state === "Cancelled" && stoppedBy === "requeue" && cur.cancelRequestedAt === undefined) {
          const rest = without(cur, "workerId", "startedAt");
          const reason = `Worker ${this.id} shut down; job requeued`;
          return {
            record: { ...rest, state: "Queued", attempts: Math.max(0, cur.attempts - 1), progress: { phase: "loading", percent: 0, message: reason } },
            events: [{ type: "state", state: "Queued", reason }],
          };
        }
        if (outcome.state === "Completed") {
          return {
            record: { ...cur, state: "Completed", finishedAt: now, ...(outcome.result === undefined ? {} : { result: outcome.result }), progress: { phase: "deploying", percent: 100, message: "Completed" } },
            events: [
              { type: "progress", progress: { phase: "deploying", percent: 100, message: "Completed" } },
              { type: "state", state: "Completed" },
            ],
          };
        }
        return {
          record: { ...cur, state: outcome.state, finishedAt: now, error: outcome.error, progress: { ...cur.progress, message: outcome.error } },
          events: [{ type: "state", state: outcome.state, reason: outcome.error }],
        };
      },
      { onWritten: (events) => events.forEach((e) => this.options.onEvent?.(e)) },
    );
  }

  /** Fails or re-queues Running jobs whose worker is dead; `full` also repairs the indexes. */
  private async recover(full: boolean): Promise<void> {
    await recoverInterruptedJobs(this.store, {
      full,
      workerId: this.id,
      runningHere: new Set(this.running.keys()),
      requeue: this.options.requeueInterrupted === true,
      leaseMs: this.options.leaseMs ?? 30_000,
      ...(this.options.onEvent === undefined ? {} : { onEvent: this.options.onEvent }),
    });
  }
}

/** Folds progress and epoch events into the record (latest progress, latest metrics). */
function applyEvents(job: JobRecord, events: readonly JobEventBody[]): JobRecord {
  let next = job;
  for (const e of events) {
    if (e.type === "progress") next = { ...next, progress: e.progress };
    else if (e.type === "epoch") next = { ...next, metrics: { epoch: e.epoch, epochs: e.epochs, ...e.metrics } };
  }
  return next;
}
