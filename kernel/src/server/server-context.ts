/** What every route of the server shares: config, tokens, queue, path guard, open streams. */
import type { JobQueue } from "../jobs/job-queue.js";
import type { ServerConfig } from "./config.js";
import type { PathGuard } from "./path-guard.js";
import type { TokenTable } from "./tokens.js";

/** The state routes read; built once by `startServer()` (or a test). */
export interface ServerContext {
  config: ServerConfig;
  tokens: TokenTable;
  queue: JobQueue;
  guard: PathGuard;
  /** One controller per open SSE stream; aborted at shutdown so `close()` does not wait on them. */
  streams: Set<AbortController>;
  /** Serialises writes to the video library (seed 000 endpoints rewrite its file). */
  libraryLock: { tail: Promise<unknown> };
}

/** Runs `fn` after every earlier call on the same lock has settled. */
export function serialize<T>(lock: { tail: Promise<unknown> }, fn: () => Promise<T>): Promise<T> {
  const run = lock.tail.then(fn, fn);
  lock.tail = run.catch(() => undefined);
  return run;
}
