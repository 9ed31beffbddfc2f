/**
 * Cross-process locks for the store (proper-lockfile: an atomic `mkdir` lock whose mtime is kept
 * fresh; a lock left by a killed process goes stale and is taken over).
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import lockfile from "proper-lockfile";
import { errorMessage, TrainsetError } from "../util/errors.js";

/** Options for {@link withStoreLock}. */
export interface StoreLockOptions {
  /** A lock not refreshed for this long belongs to a dead process (default 5000 ms, min 2000). */
  staleMs?: number;
  /** How long to wait for the lock before failing (default 60000 ms). */
  waitMs?: number;
}

/**
 * Runs `fn` while holding the lock `<lockPath>.lock`; other processes wait their turn.
 * @example await withStoreLock(join(modelDir, "registry"), async () => swapActive());
 */
export async function withStoreLock<T>(lockPath: string, fn: () => Promise<T>, options: StoreLockOptions = {}): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  const waitMs = options.waitMs ?? 60_000;
  const stale = Math.max(2000, options.staleMs ?? 5000);
  const minTimeout = 25;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(lockPath, {
      realpath: false,
      stale,
      update: Math.floor(stale / 2),
      retries: { retries: Math.ceil(waitMs / 100), minTimeout, maxTimeout: 200, factor: 1.2 },
    });
  } catch (error) {
    throw new TrainsetError("CONFLICT", `Cannot lock "${lockPath}": ${errorMessage(error)}`, { file: lockPath, cause: error });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
