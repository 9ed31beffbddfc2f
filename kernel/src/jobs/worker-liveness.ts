/**
 * Worker registrations of the file queue: each worker writes `workers/<id>.json` (pid, host) and
 * touches it every few seconds. A running job whose worker is gone is detected two ways: on the
 * same host by pid liveness (immediate after kill -9), elsewhere by a heartbeat older than the lease.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { readFile, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { systemErrorCode } from "../util/errors.js";

/** What a worker writes about itself. */
export interface WorkerInfo {
  id: string;
  pid: number;
  host: string;
  startedAt: string;
}

/** A new worker id: `<host>:<pid>:<random>`. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/** The file name of a worker id (`:` is fine on POSIX but not on Windows). */
function workerFile(dir: string, id: string): string {
  return join(dir, `${id.replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
}

/** Writes the registration and returns a function that refreshes its heartbeat. */
export async function registerWorker(dir: string, id: string): Promise<{ beat: () => Promise<void>; remove: () => Promise<void> }> {
  const file = workerFile(dir, id);
  const info: WorkerInfo = { id, pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  await writeJsonAtomic(file, info);
  return {
    beat: async () => {
      const now = new Date();
      await utimes(file, now, now).catch(async (error: unknown) => {
        // Someone removed it (a cleanup by another worker): write it again.
        if (systemErrorCode(error) === "ENOENT") await writeJsonAtomic(file, info);
      });
    },
    remove: () => rm(file, { force: true }),
  };
}

/** Why the worker is considered dead, or undefined while it is alive. */
export async function workerDeathReason(dir: string, id: string, leaseMs: number): Promise<string | undefined> {
  const file = workerFile(dir, id);
  let info: WorkerInfo;
  let mtimeMs: number;
  try {
    info = JSON.parse(await readFile(file, "utf8")) as WorkerInfo;
    mtimeMs = (await stat(file)).mtimeMs;
  } catch {
    return `worker ${id} is not registered any more (it stopped or its registration was lost)`;
  }
  if (info.host === hostname() && !pidAlive(info.pid)) return `worker ${id} (pid ${info.pid}) is no longer running (killed or crashed)`;
  const age = Date.now() - mtimeMs;
  if (age > leaseMs) return `worker ${id} sent no heartbeat for ${Math.round(age / 1000)} s (lease ${Math.round(leaseMs / 1000)} s)`;
  return undefined;
}

/** Removes a dead worker's registration. */
export async function forgetWorker(dir: string, id: string): Promise<void> {
  await rm(workerFile(dir, id), { force: true });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return systemErrorCode(error) === "EPERM";
  }
}
