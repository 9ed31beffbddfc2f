/**
 * A worker of the Redis queue. BullMQ hands each job to exactly one worker and keeps a lock on it;
 * when a worker dies its lock expires, another worker's stalled check puts the job back, and the
 * next worker to take it sees the record still `Running`: it retries the job (with
 * `requeueInterrupted`, up to `maxAttempts`) or fails it with the reason. Cancel requests arrive by
 * pub/sub and, as a fallback, by polling the record.
 */
import { WaitingError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { runJobHandler, type JobOutcome } from "../job-runner.js";
import type { JobEventBody, JobRecord, JobWorker, JobWorkerOptions, WorkerStopMode } from "../job-queue.js";
import { newWorkerId } from "../worker-liveness.js";
import { checkJobInputs } from "./job-inputs.js";
import { connectRedis, redisOptions } from "./redis-connect.js";
import { RedisJobStore } from "./redis-job-store.js";
import type { BullJobData, RedisJobQueue } from "./redis-queue.js";

interface RunningJob {
  controller: AbortController;
  stoppedBy?: WorkerStopMode;
}

/** The Redis-queue {@link JobWorker}. */
export class RedisJobWorker implements JobWorker {
  readonly id = newWorkerId();
  private readonly running = new Map<string, RunningJob>();
  private subscriber: Redis | undefined;
  /** The worker's own store, on a connection whose commands wait out a Redis restart. */
  private store: RedisJobStore | undefined;
  private runPromise: Promise<void> | undefined;
  private stopping: WorkerStopMode | undefined;
  private closeRequested: (() => void) | undefined;

  constructor(
    private readonly queue: RedisJobQueue,
    private readonly options: JobWorkerOptions,
  ) {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`Cannot start worker: concurrency must be a positive integer, got ${String(concurrency)}`);
  }

  run(): Promise<void> {
    this.runPromise ??= this.loop();
    return this.runPromise;
  }

  async stop(mode: WorkerStopMode = "requeue"): Promise<void> {
    this.stopping ??= mode;
    if (mode !== "wait") {
      for (const job of this.running.values()) {
        if (job.controller.signal.aborted) continue;
        job.stoppedBy = mode;
        job.controller.abort(mode === "cancel" ? "Worker shut down" : "Worker shut down; job requeued");
      }
    }
    this.closeRequested?.();
    await this.runPromise;
  }

  private async loop(): Promise<void> {
    const { target, keys } = this.queue;
    // A bad address or password fails here, clearly, before BullMQ starts retrying forever.
    const redis = await connectRedis(target, { role: "worker" });
    this.store = new RedisJobStore(redis, keys);
    this.subscriber = await connectRedis(target, { role: "worker" }).catch((error: unknown) => {
      redis.disconnect();
      throw error;
    });
    this.subscriber.on("message", (_channel: string, id: string) => void this.guard(() => this.checkCancel(id)));
    await this.subscriber.subscribe(keys.cancelChannel);
    await this.guard(() => this.redispatchQueued());
    const bull = new Worker<BullJobData>(keys.bullQueue, (job, token, signal) => this.process(job, token, signal), {
      connection: redisOptions(target, { role: "worker", onReconnect: (attempt, delay) => this.options.onError?.(new Error(`Redis connection lost; reconnecting (attempt ${attempt}, in ${delay} ms)`)) }),
      prefix: keys.bullPrefix,
      concurrency: this.options.concurrency ?? 1,
      lockDuration: target.lockMs,
      stalledInterval: target.stalledMs,
      // trainset counts attempts itself (record.attempts vs maxAttempts): BullMQ must never fail a
      // stalled job on its own, only hand it back.
      maxStalledCount: 1_000_000,
      autorun: false,
      name: this.id,
    });
    bull.on("error", (error) => this.options.onError?.(error));
    const closed = new Promise<void>((resolve) => (this.closeRequested = resolve));
    const watchIdle = this.options.once === true ? setInterval(() => void this.guard(() => this.stopWhenIdle()), 200) : undefined;
    try {
      if (this.stopping === undefined) {
        const running = bull.run();
        await closed;
        await bull.close();
        await running;
      }
    } finally {
      await bull.close().catch(() => undefined); // also when stopped before it ran
      if (watchIdle !== undefined) clearInterval(watchIdle);
      this.subscriber.disconnect();
      redis.disconnect();
    }
  }

  /** With `once`: stops when nothing is waiting, delayed or active. */
  private async stopWhenIdle(): Promise<void> {
    if (this.running.size > 0 || this.stopping !== undefined) return;
    const counts = await this.queue.bull.getJobCounts("wait", "active", "delayed", "prioritized");
    if (Object.values(counts).every((n) => n === 0) && this.running.size === 0) {
      this.stopping = "wait";
      this.closeRequested?.();
    }
  }

  /** Gives BullMQ every Queued record it lacks (a submitter that died between the two writes). */
  private async redispatchQueued(): Promise<void> {
    for (const record of await this.db.all()) if (record.state === "Queued") await this.queue.dispatch(record);
  }

  /** The worker's store (available once `run()` connected). */
  private get db(): RedisJobStore {
    if (this.store === undefined) throw new Error("RedisJobWorker: not running");
    return this.store;
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error: unknown) {
      this.options.onError?.(error);
      return undefined;
    }
  }

  /** Aborts a job this worker runs when its record carries a cancel request. */
  private async checkCancel(id: string): Promise<void> {
    const entry = this.running.get(id);
    if (entry === undefined || entry.controller.signal.aborted) return;
    const record = await this.db.get(id);
    if (record?.cancelRequestedAt !== undefined) entry.controller.abort(record.error ?? "Job was cancelled");
  }

  /** BullMQ's processor: claims the record, runs the handler, records the outcome. */
  private async process(job: Job<BullJobData>, token: string | undefined, signal: AbortSignal | undefined): Promise<void> {
    const id = job.data.id;
    const store = this.db;
    const record = await store.get(id);
    if (record === undefined || (record.state !== "Queued" && record.state !== "Running")) return; // cancelled while queued, or done
    if (record.state === "Running" && !(await this.retryInterrupted(record))) return;
    const attempts = record.attempts + 1;
    const claimed = await store.update(id, {
      ifState: [record.state],
      ifAttempts: record.attempts,
      set: { state: "Running", startedAt: new Date().toISOString(), attempts, workerId: this.id, progress: { phase: "loading", percent: 0, message: "Started" } },
      unset: ["error", "cancelRequestedAt", "finishedAt"],
      events: [{ type: "state", state: "Running", reason: `Started by worker ${this.id} (attempt ${attempts} of ${record.maxAttempts})` }],
    });
    if (!claimed.applied) return;
    this.notify(id, claimed.lastSeq);
    const claimedRecord: JobRecord = { ...record, state: "Running", attempts, workerId: this.id };
    const entry: RunningJob = { controller: new AbortController() };
    this.running.set(id, entry);
    signal?.addEventListener("abort", () => entry.controller.abort(signal.reason), { once: true });
    try {
      const unreadable = await checkJobInputs(claimedRecord, this.options.storeRoot, this.id);
      const outcome: JobOutcome = unreadable === undefined ? await this.execute(claimedRecord, entry) : { state: "Failed", error: unreadable };
      if (outcome.state === "Cancelled" && entry.stoppedBy === "requeue" && (await this.requeue(claimedRecord)) && token !== undefined) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      await this.finish(claimedRecord, outcome);
    } finally {
      this.running.delete(id);
    }
  }

  /**
   * The record says Running but BullMQ handed the job out again: its worker died (stalled job).
   * Returns true to run it again; otherwise ends it Failed (or Cancelled when that was asked).
   */
  private async retryInterrupted(record: JobRecord): Promise<boolean> {
    const death = `worker ${record.workerId ?? "unknown"} stopped renewing its lock (killed or cut off)`;
    const now = new Date().toISOString();
    const retry = this.options.requeueInterrupted === true && record.attempts < record.maxAttempts && record.cancelRequestedAt === undefined;
    if (retry) {
      const reason = `Requeued: ${death} (attempt ${record.attempts} of ${record.maxAttempts} interrupted)`;
      const done = await this.db.update(record.id, { ifState: ["Running"], ifAttempts: record.attempts, events: [{ type: "state", state: "Queued", reason }] });
      return done.applied;
    }
    const state = record.cancelRequestedAt === undefined ? "Failed" : "Cancelled";
    const tail = this.options.requeueInterrupted === true ? ` after ${record.attempts} of ${record.maxAttempts} attempts` : "; resubmit it, or run workers with --requeue-interrupted to retry such jobs";
    const error = state === "Cancelled" ? (record.error ?? "Job was cancelled") : `Job was interrupted: ${death} while it was running${tail}`;
    await this.db.update(record.id, {
      ifState: ["Running"],
      ifAttempts: record.attempts,
      set: { state, finishedAt: now, error, progress: { ...record.progress, message: error } },
      events: [{ type: "state", state, reason: error }],
    });
    return false;
  }

  /** Runs the handler with batched event writes and a cancel poll; never throws. */
  private async execute(job: JobRecord, entry: RunningJob): Promise<JobOutcome> {
    const pending: JobEventBody[] = [];
    let flushing: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      flushing = flushing.then(async () => {
        if (pending.length === 0) return;
        const batch = pending.splice(0);
        const set: Partial<JobRecord> = {};
        for (const e of batch) {
          if (e.type === "progress") set.progress = e.progress;
          else if (e.type === "epoch") set.metrics = { epoch: e.epoch, epochs: e.epochs, ...e.metrics };
        }
        const done = await this.guard(() => this.db.update(job.id, { ifState: ["Running"], ifAttempts: job.attempts, set, events: batch }));
        if (done?.applied === true) this.notify(job.id, done.lastSeq, batch);
      });
      return flushing;
    };
    const poll = setInterval(() => {
      void this.guard(async () => {
        const current = await this.db.get(job.id);
        if (entry.controller.signal.aborted || current === undefined) return;
        if (current.state !== "Running" || current.attempts !== job.attempts) entry.controller.abort(`Job was taken over: ${current.state} on ${current.workerId ?? "no worker"}`);
        else if (current.cancelRequestedAt !== undefined) entry.controller.abort(current.error ?? "Job was cancelled");
      });
    }, 1000);
    try {
      return await runJobHandler(job, {
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
      clearInterval(poll);
      await flush();
    }
  }

  /** Puts a job stopped by a "requeue" shutdown back to Queued (the attempt does not count). */
  private async requeue(job: JobRecord): Promise<boolean> {
    const reason = `Worker ${this.id} shut down; job requeued`;
    const done = await this.db.update(job.id, {
      ifState: ["Running"],
      ifAttempts: job.attempts,
      set: { state: "Queued", attempts: Math.max(0, job.attempts - 1), progress: { phase: "loading", percent: 0, message: reason } },
      unset: ["workerId", "startedAt"],
      events: [{ type: "state", state: "Queued", reason }],
    });
    return done.applied;
  }

  /** Records the outcome, unless the record was taken over meanwhile. */
  private async finish(job: JobRecord, outcome: JobOutcome): Promise<void> {
    const now = new Date().toISOString();
    const current = await this.db.get(job.id);
    if (current === undefined) return;
    const events: JobEventBody[] =
      outcome.state === "Completed"
        ? [{ type: "progress", progress: { phase: "deploying", percent: 100, message: "Completed" } }, { type: "state", state: "Completed" }]
        : [{ type: "state", state: outcome.state, reason: outcome.error }];
    const set: Partial<JobRecord> =
      outcome.state === "Completed"
        ? { state: "Completed", finishedAt: now, progress: { phase: "deploying", percent: 100, message: "Completed" }, ...(outcome.result === undefined ? {} : { result: outcome.result }) }
        : { state: outcome.state, finishedAt: now, error: outcome.error, progress: { ...current.progress, message: outcome.error } };
    const done = await this.db.update(job.id, { ifState: ["Running"], ifAttempts: job.attempts, set, events });
    if (done.applied) this.notify(job.id, done.lastSeq, events);
  }

  /** Passes written events to `onEvent` (seq numbers counted back from the last one). */
  private notify(id: string, lastSeq: number, bodies?: readonly JobEventBody[]): void {
    if (this.options.onEvent === undefined) return;
    void this.guard(async () => {
      const count = bodies?.length ?? 1;
      for (const event of await this.db.readEvents(id, { afterSeq: lastSeq - count, limit: count })) this.options.onEvent?.(event);
    });
  }
}
