/**
 * The per-job lock of the file queue: proper-lockfile (atomic `mkdir`, mtime refreshed while
 * held, taken over when stale). Unlike the default, a compromised lock does not throw from a
 * timer: a worker whose event loop was blocked by a long synchronous training step would
 * otherwise crash. Holders only do a short read-modify-write, so the worst case of a takeover is
 * one lost progress update, never a torn file (records are replaced by rename).
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import lockfile from "proper-lockfile";
import { errorMessage, TrainsetError } from "../util/errors.js";

/** Options of {@link withJobLock}. */
export interface JobLockOptions {
  /** A lock not refreshed for this long belongs to a dead process (default 10000 ms). */
  staleMs?: number;
  /** Give up waiting after this long (default 60000 ms). */
  waitMs?: number;
}

/**
 * Runs `fn` holding `<path>.lock`.
 * @example await withJobLock(join(jobDir, "job"), () => rewriteRecord());
 */
export async function withJobLock<T>(path: string, fn: () => Promise<T>, options: JobLockOptions = {}): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const stale = Math.max(2000, options.staleMs ?? 10_000);
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path, {
      realpath: false,
      stale,
      retries: { retries: Math.ceil((options.waitMs ?? 60_000) / 50), minTimeout: 5, maxTimeout: 100, factor: 1.3 },
      onCompromised: () => undefined,
    });
  } catch (error) {
    throw new TrainsetError("CONFLICT", `Cannot lock "${path}": ${errorMessage(error)}`, { file: path, cause: error });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
