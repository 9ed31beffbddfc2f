/**
 * The job queue on Redis: trainset's records and event streams live in Redis hashes and lists
 * (redis-job-store.ts); BullMQ carries the dispatch (one job to one worker, locks, stalled-job
 * detection). Any number of processes on any number of machines may submit, read and cancel.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { TrainsetError } from "../../util/errors.js";
import { isJobId, newJobId } from "../file-job-store.js";
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
} from "../job-queue.js";
import { connectRedis } from "./redis-connect.js";
import { RedisJobStore } from "./redis-job-store.js";
import { redisQueueKeys, type RedisQueueKeys } from "./redis-keys.js";
import { parseRedisUrl, type RedisTarget } from "./redis-url.js";
import { RedisJobWorker } from "./redis-worker.js";
import { EventWaiter } from "./event-waiter.js";

/** The payload of a BullMQ job: only the id; the record lives in trainset's own hash. */
export interface BullJobData {
  id: string;
}

/** The BullMQ options of every dispatched job. */
export const BULL_JOB_OPTIONS = { attempts: 1, removeOnComplete: true, removeOnFail: { count: 1000 } } as const;

/** The Redis-backed {@link JobQueue}. */
export class RedisJobQueue implements JobQueue {
  readonly backend = "redis";
  readonly location: string;
  readonly keys: RedisQueueKeys;
  readonly store: RedisJobStore;
  private readonly waiter: EventWaiter;

  constructor(
    readonly target: RedisTarget,
    private readonly redis: Redis,
    readonly bull: Queue<BullJobData>,
  ) {
    this.location = target.display;
    this.keys = redisQueueKeys(target.prefix);
    this.store = new RedisJobStore(redis, this.keys);
    this.waiter = new EventWaiter(target, this.keys.eventChannel);
  }

  async submit(submission: JobSubmission): Promise<JobRecord> {
    const valid = validateSubmission(submission);
    const record = newJobRecord(newJobId(), valid);
    const { created, id } = await this.store.create(record, [{ type: "state", state: "Queued", reason: "Job submitted" }]);
    if (!created) {
      // Same idempotency key as an earlier submit: that job, never a second one.
      const existing = await this.get(id);
      if (existing.state === "Queued") await this.dispatch(existing);
      return existing;
    }
    await this.dispatch(record);
    return { ...record, lastSeq: 1 };
  }

  /** Hands a Queued job to BullMQ; a no-op when BullMQ already has that job id. */
  async dispatch(record: JobRecord): Promise<void> {
    await this.bull.add(record.kind, { id: record.id }, { ...BULL_JOB_OPTIONS, jobId: record.id });
  }

  async get(id: string): Promise<JobRecord> {
    const record = isJobId(id) ? await this.store.get(id) : undefined;
    if (record === undefined) throw jobNotFound(id);
    return record;
  }

  async list(filter: JobListFilter = {}): Promise<JobRecord[]> {
    const all = await this.store.all();
    return sortAndLimitJobs(
      all.filter((job) => matchesJobFilter(job, filter)),
      filter.limit,
    );
  }

  async cancel(id: string, options: CancelJobOptions = {}): Promise<JobRecord> {
    const reason = options.reason ?? "Job was cancelled";
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.get(id);
      if (isTerminalState(current.state))
        throw new TrainsetError("CONFLICT", `Cannot cancel job ${id}: it is already ${current.state}`, { field: "state" });
      const now = new Date().toISOString();
      if (current.state === "Queued") {
        const done = await this.store.update(id, {
          ifState: ["Queued"],
          set: { state: "Cancelled", error: reason, finishedAt: now, progress: { ...current.progress, message: reason } },
          events: [{ type: "state", state: "Cancelled", reason }],
        });
        if (!done.applied) continue;
        // Best effort: a worker that still picks it up sees Cancelled and skips it.
        await this.bull.remove(id).catch(() => 0);
        return this.get(id);
      }
      if (current.cancelRequestedAt !== undefined) return current;
      const done = await this.store.update(id, {
        ifState: ["Running"],
        ifAttempts: current.attempts,
        set: { cancelRequestedAt: now, error: reason },
        events: [{ type: "log", level: "warn", message: `Cancel requested: ${reason}` }],
      });
      if (!done.applied) continue;
      // Reaches the worker at once; workers also poll the record in case they missed it.
      await this.redis.publish(this.keys.cancelChannel, id);
      return this.get(id);
    }
    throw new TrainsetError("CONFLICT", `Cannot cancel job ${id}: its state kept changing`, { field: "state" });
  }

  async readEvents(id: string, options: ReadEventsOptions = {}): Promise<JobEvent[]> {
    await this.get(id);
    return this.store.readEvents(id, options);
  }

  async waitForEvents(id: string, options: WaitForEventsOptions = {}): Promise<JobEvent[]> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const after = options.afterSeq ?? 0;
    for (;;) {
      // Listen before reading, so an event published in between is not missed.
      const arrival = this.waiter.next(id);
      try {
        const job = await this.get(id);
        if (job.lastSeq > after) {
          const events = await this.store.readEvents(id, options);
          if (events.length > 0) return events;
        }
        if (isTerminalState(job.state) || options.signal?.aborted === true || Date.now() >= deadline) return [];
        await arrival.wait(Math.min(1000, Math.max(1, deadline - Date.now())), options.signal);
      } finally {
        arrival.cancel();
      }
    }
  }

  createWorker(options: JobWorkerOptions): JobWorker {
    return new RedisJobWorker(this, options);
  }

  async close(): Promise<void> {
    await this.waiter.close();
    await this.bull.close();
    await this.redis.quit().catch(() => undefined);
  }
}

/**
 * Opens the queue at `url` (`redis://host:port/db[?prefix=&lockMs=&stalledMs=]`); fails with a
 * clear TrainsetError when Redis is unreachable or refuses the credentials.
 * @example const queue = await openRedisJobQueue("redis://127.0.0.1:6379/0");
 */
export async function openRedisJobQueue(url: string): Promise<RedisJobQueue> {
  const target = parseRedisUrl(url);
  const redis = await connectRedis(target);
  const keys = redisQueueKeys(target.prefix);
  const bull = new Queue<BullJobData>(keys.bullQueue, { connection: redis, prefix: keys.bullPrefix });
  bull.on("error", () => undefined); // connection errors surface through the calls that hit them
  return new RedisJobQueue(target, redis, bull);
}
