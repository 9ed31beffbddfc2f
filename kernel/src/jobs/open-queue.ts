/** Picks the job-queue backend: the file queue under the store by default, Redis on `redis://`. */
import { resolveStoreRoot, storePaths } from "../service/store-layout.js";
import { TrainsetError } from "../util/errors.js";
import { openFileJobQueue } from "./file-queue.js";
import type { JobQueue } from "./job-queue.js";

/** Environment variable naming the queue (`redis://host:6379/0`, or a folder for the file queue). */
export const QUEUE_ENV = "TRAINSET_QUEUE";

/** Options of {@link openJobQueue}. */
export interface OpenJobQueueOptions {
  /** `redis://…`/`rediss://…`, `file:<dir>` or a folder; default `$TRAINSET_QUEUE`, else `<store>/jobs`. */
  queue?: string;
  /** Store root (`--store`); default `$TRAINSET_STORE`, else `<cwd>/.trainset`. */
  store?: string;
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** The queue URL in effect and the store root, resolved like {@link openJobQueue} does. */
export function resolveQueueTarget(options: OpenJobQueueOptions = {}): { queue: string | undefined; storeRoot: string } {
  const env = options.env ?? process.env;
  const storeRoot = resolveStoreRoot({ ...(options.store === undefined ? {} : { store: options.store }), ...(options.cwd === undefined ? {} : { cwd: options.cwd }), env });
  const queue = options.queue ?? env[QUEUE_ENV];
  return { queue: queue === "" ? undefined : queue, storeRoot };
}

/**
 * Opens the job queue selected by `--queue` / `TRAINSET_QUEUE`: the file queue by default.
 * @example const queue = await openJobQueue({ store: ".trainset" }); await queue.submit({ kind: "noop", config: {} });
 */
export async function openJobQueue(options: OpenJobQueueOptions = {}): Promise<JobQueue> {
  const { queue, storeRoot } = resolveQueueTarget(options);
  if (queue === undefined) return openFileJobQueue(storePaths(storeRoot).jobs);
  // (the Redis backend adds its `redis://` / `rediss://` branch on the line below)
  if (/^rediss?:\/\//i.test(queue)) return (await import("./redis/redis-queue.js")).openRedisJobQueue(queue);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(queue) && !queue.startsWith("file://"))
    throw new TrainsetError("UNSUPPORTED_FORMAT", `Cannot open job queue "${queue.replace(/\/\/[^@/]*@/, "//***@")}": unknown scheme (use redis://host:port/db or a folder)`, { field: "queue" });
  const dir = queue.startsWith("file://") ? new URL(queue).pathname : queue.replace(/^file:/, "");
  return openFileJobQueue(resolveStoreRoot({ store: dir, ...(options.cwd === undefined ? {} : { cwd: options.cwd }) }));
}
