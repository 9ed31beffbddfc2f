/**
 * The backend-neutral job queue: job records, states, progress phases, the per-job event stream
 * and the client and worker sides. The file queue (`file-queue.ts`) and the BullMQ/Redis queue
 * implement {@link JobQueue}; callers (CLI, HTTP server, extension) only see this module.
 *
 * States and phases follow Aura's MlTrainingWorker (seed 004): Queued -> Running -> Completed |
 * Failed | Cancelled; progress 0–10 loading, 10–20 preparing, 20–80 training, 80–100 deploying.
 */
import { unsafeNameReason } from "../service/safe-name.js";
import { TrainsetError } from "../util/errors.js";

/** Where a job is in its life. Terminal: Completed, Failed, Cancelled. */
export type JobState = "Queued" | "Running" | "Completed" | "Failed" | "Cancelled";

/** Every state, in life-cycle order. */
export const JOB_STATES: readonly JobState[] = ["Queued", "Running", "Completed", "Failed", "Cancelled"];

/** True for the states a job never leaves. */
export function isTerminalState(state: JobState): boolean {
  return state === "Completed" || state === "Failed" || state === "Cancelled";
}

/** Phases of a training job, each owning a band of the percent scale. */
export type JobPhase = "loading" | "preparing" | "training" | "deploying";

/** The seed's percent bands: [start, end] of each phase. */
export const PHASE_BANDS: Readonly<Record<JobPhase, readonly [number, number]>> = {
  loading: [0, 10],
  preparing: [10, 20],
  training: [20, 80],
  deploying: [80, 100],
};

/** Maps a fraction (0..1) of a phase to the overall percent, e.g. training 0.5 -> 50. */
export function phasePercent(phase: JobPhase, fraction: number): number {
  const [start, end] = PHASE_BANDS[phase];
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  return Math.round((start + f * (end - start)) * 10) / 10;
}

/** Where a job's work stands. `percent` never decreases while the job runs. */
export interface JobProgress {
  phase: JobPhase;
  /** 0..100 inside the phase's band. */
  percent: number;
  message: string;
}

/** JSON values as stored in job configs, results and events. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** What a client asks for. */
export interface JobSubmission {
  /** Handler name, one of {@link JOB_KINDS}. */
  kind: JobKind;
  /** Handler-specific settings (for training kinds: the train config, paths absolute). */
  config: JsonObject;
  /** Who submitted it (default `default-user`, as in Aura). Same rules as annotation user ids. */
  user?: string;
  /**
   * Idempotency key: a second submit with the same key returns the first job instead of
   * recording a new one (a retried HTTP request or CLI call never queues twice).
   */
  requestId?: string;
  /** How many times a job interrupted by a dead worker may be started in all (default 3). */
  maxAttempts?: number;
}

/** The job kinds trainset's workers can run. */
export type JobKind = "multilabel-train" | "frame-importance-train" | "noop";

/** Every job kind, for validation and help texts. */
export const JOB_KINDS: readonly JobKind[] = ["multilabel-train", "frame-importance-train", "noop"];

/** A job as stored by the queue. Field names are camelCase in code and on disk. */
export interface JobRecord {
  id: string;
  kind: JobKind;
  user: string;
  config: JsonObject;
  state: JobState;
  progress: JobProgress;
  /** ISO times. */
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Times a worker started it (1 on the first run). */
  attempts: number;
  maxAttempts: number;
  /** Set by `cancel()` on a running job; the worker aborts the handler when it sees it. */
  cancelRequestedAt?: string;
  /** The worker running (or that last ran) the job, e.g. `host:pid:random`. */
  workerId?: string;
  /** Latest epoch metrics of a training job (Aura's `metrics`). */
  metrics?: Record<string, number>;
  /** What the handler returned (training kinds: runDir, model, version, deployed, metrics). */
  result?: JsonObject;
  /** Why it failed or was cancelled, e.g. `Job was cancelled`. */
  error?: string;
  requestId?: string;
  /** Sequence number of the job's last event (0 before any). */
  lastSeq: number;
}

/** The body of a job event, without its envelope. */
export type JobEventBody =
  | { type: "state"; state: JobState; reason?: string }
  | { type: "progress"; progress: JobProgress }
  | { type: "epoch"; epoch: number; epochs: number; metrics: Record<string, number> }
  | { type: "log"; level: JobLogLevel; message: string };

/** Levels of job log lines. */
export type JobLogLevel = "info" | "warn" | "error";

/**
 * One event of a job's stream. `seq` starts at 1 and increases by one per event of that job,
 * so it serves as the SSE `id` / `Last-Event-ID`.
 */
export type JobEvent = JobEventBody & { jobId: string; seq: number; at: string };

/** Filters of {@link JobQueue.list}; all optional and combined with AND. */
export interface JobListFilter {
  state?: JobState | readonly JobState[];
  user?: string;
  kind?: JobKind;
  /** At most this many, newest first (default: all). */
  limit?: number;
}

/** Options of {@link JobQueue.readEvents}. */
export interface ReadEventsOptions {
  /** Only events with `seq > afterSeq` (default 0: all). */
  afterSeq?: number;
  /** At most this many (default: all). */
  limit?: number;
}

/** Options of {@link JobQueue.waitForEvents}. */
export interface WaitForEventsOptions extends ReadEventsOptions {
  /** Give up and return `[]` after this long (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Options of {@link JobQueue.cancel}. */
export interface CancelJobOptions {
  /** Stored as the job's `error` (default `Job was cancelled`). */
  reason?: string;
}

/** The client side every backend offers. */
export interface JobQueue {
  /** `file` or `redis`, for messages and `trainset jobs` output. */
  readonly backend: string;
  /** Human-readable location, e.g. the jobs folder or the redis URL without password. */
  readonly location: string;
  /** Records the job durably, then returns it (state Queued). */
  submit(submission: JobSubmission): Promise<JobRecord>;
  /** The job; NOT_FOUND TrainsetError `Training job <id> does not exist` when unknown. */
  get(id: string): Promise<JobRecord>;
  /** Jobs matching the filter, newest first. */
  list(filter?: JobListFilter): Promise<JobRecord[]>;
  /**
   * Queued: ends Cancelled at once. Running: records the request; the worker aborts the handler's
   * signal and the job ends Cancelled within one batch. Already terminal: CONFLICT error.
   */
  cancel(id: string, options?: CancelJobOptions): Promise<JobRecord>;
  /** Events stored so far with `seq > afterSeq`, in order. */
  readEvents(id: string, options?: ReadEventsOptions): Promise<JobEvent[]>;
  /**
   * Like readEvents, but when none is there yet waits until one arrives, the job is terminal
   * (then `[]`), the timeout passes (`[]`) or the signal aborts (`[]`).
   */
  waitForEvents(id: string, options?: WaitForEventsOptions): Promise<JobEvent[]>;
  /** Starts a worker on this queue (see {@link JobWorkerOptions}). */
  createWorker(options: JobWorkerOptions): JobWorker;
  /** Releases connections and timers; the data stays. */
  close(): Promise<void>;
}

/** What a handler gets besides the job. Reporting calls are cheap and never throw. */
export interface JobContext {
  /** Aborted when the job is cancelled (or the worker shuts down); pass it to train(). */
  signal: AbortSignal;
  /** Store root (`.trainset/`): runs go to `<root>/runs/`, models to `<root>/models/`. */
  storeRoot: string;
  workerId: string;
  /** Reports a fraction (0..1) of a phase; percent never goes backwards. */
  progress(phase: JobPhase, fraction: number, message?: string): void;
  /** Reports a finished epoch with its metrics (losses, mAP, …). */
  epoch(epoch: number, epochs: number, metrics: Record<string, number>): void;
  /** Appends a line to the job's log. */
  log(message: string, level?: JobLogLevel): void;
}

/**
 * Runs one job. Resolve with the result (stored on the record) to complete it; throw to fail it;
 * throw an ABORTED TrainsetError after the signal fired to end it Cancelled.
 */
export type JobHandler = (job: JobRecord, ctx: JobContext) => Promise<JsonObject | undefined>;

/** Handlers by kind. */
export type JobHandlers = Partial<Record<JobKind, JobHandler>>;

/** What a worker does with its running jobs when stopped. */
export type WorkerStopMode =
  /** Abort them; they go back to Queued (not counted as an attempt) for the next worker. */
  | "requeue"
  /** Abort them; they end Cancelled with `Worker shut down`. */
  | "cancel"
  /** Let them finish, take nothing new. */
  | "wait";

/** Options of {@link JobQueue.createWorker}. */
export interface JobWorkerOptions {
  handlers: JobHandlers;
  /** Store root passed to handlers. */
  storeRoot: string;
  /** Jobs run at once by this worker (default 1, like Aura's semaphore). */
  concurrency?: number;
  /**
   * Jobs whose worker died while running them: false (default) -> Failed with the reason;
   * true -> back to Queued while `attempts < maxAttempts`, then Failed.
   */
  requeueInterrupted?: boolean;
  /** Resolve `run()` once no job is queued and none runs (default false: run until stopped). */
  once?: boolean;
  /** Called for every event of the jobs this worker runs (CLI output). */
  onEvent?: (event: JobEvent) => void;
  /** Called for errors of the worker itself (store unreachable, lock timeouts); it keeps going. */
  onError?: (error: unknown) => void;
}

/** A running worker. */
export interface JobWorker {
  readonly id: string;
  /** Claims and runs jobs until `stop()` (or, with `once`, until the queue is empty). */
  run(): Promise<void>;
  /** Stops claiming; handles running jobs per `mode` (default "requeue"); resolves when idle. */
  stop(mode?: WorkerStopMode): Promise<void>;
}

/** Default user id, as in Aura. */
export const DEFAULT_JOB_USER = "default-user";

/** Message and error for an unknown job id, identical on every backend (Aura's 404 text). */
export function jobNotFound(id: string): TrainsetError {
  return new TrainsetError("NOT_FOUND", `Training job ${id} does not exist`, { field: "id" });
}

/**
 * Checks a submission before any backend records it; the same messages on every backend.
 * @example validateSubmission({ kind: "noop", config: { ms: 10 } })
 */
export function validateSubmission(submission: JobSubmission): Required<Omit<JobSubmission, "requestId">> & { requestId?: string } {
  const kind: unknown = submission.kind;
  if (typeof kind !== "string" || !(JOB_KINDS as readonly string[]).includes(kind))
    throw new TrainsetError("VALIDATION_ERROR", `Cannot submit job: kind ${JSON.stringify(kind)} is not one of ${JOB_KINDS.join(", ")}`, { field: "kind" });
  const config: unknown = submission.config;
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw new TrainsetError("VALIDATION_ERROR", "Cannot submit job: config must be a JSON object", { field: "config" });
  const user = submission.user ?? DEFAULT_JOB_USER;
  validateJobUser(user);
  const maxAttempts = submission.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100)
    throw new TrainsetError("VALIDATION_ERROR", `Cannot submit job: maxAttempts must be an integer 1..100, got ${String(maxAttempts)}`, { field: "maxAttempts" });
  const requestId = submission.requestId;
  if (requestId !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(requestId))
    throw new TrainsetError("VALIDATION_ERROR", "Cannot submit job: requestId must be 1-128 characters of A-Z a-z 0-9 . _ : -", { field: "requestId" });
  return { kind: kind as JobKind, config: submission.config, user, maxAttempts, ...(requestId === undefined ? {} : { requestId }) };
}

/** Refuses user ids that are empty or could escape a folder (`..`, `/`, `\\`, NUL); same rules as the annotation store. */
export function validateJobUser(user: string): void {
  const reason = unsafeNameReason("UserId", user);
  if (reason !== undefined) throw new TrainsetError("VALIDATION_ERROR", `Cannot submit job: ${reason}`, { field: "user" });
}

/** A fresh Queued record, shared by backends so records look the same everywhere. */
export function newJobRecord(id: string, submission: JobSubmission, now = new Date()): JobRecord {
  const valid = validateSubmission(submission);
  return {
    id,
    kind: valid.kind,
    user: valid.user,
    config: valid.config,
    state: "Queued",
    progress: { phase: "loading", percent: 0, message: "Queued" },
    createdAt: now.toISOString(),
    attempts: 0,
    maxAttempts: valid.maxAttempts,
    ...(valid.requestId === undefined ? {} : { requestId: valid.requestId }),
    lastSeq: 0,
  };
}

/** True when a record passes the filter. */
export function matchesJobFilter(job: JobRecord, filter: JobListFilter = {}): boolean {
  if (filter.state !== undefined) {
    const states: readonly JobState[] = typeof filter.state === "string" ? [filter.state] : filter.state;
    if (!states.includes(job.state)) return false;
  }
  if (filter.user !== undefined && job.user !== filter.user) return false;
  if (filter.kind !== undefined && job.kind !== filter.kind) return false;
  return true;
}

/** Sorts newest first (createdAt, then id) and applies the limit. */
export function sortAndLimitJobs(jobs: JobRecord[], limit?: number): JobRecord[] {
  jobs.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
  return limit === undefined ? jobs : jobs.slice(0, Math.max(0, limit));
}
