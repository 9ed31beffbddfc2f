/** File-level helpers of the model registry: version numbering, temp cleanup, run metadata. */
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { greaterIsBetterFor, type GateMetric } from "./model-version.js";

/** The next `v<N>` number after the existing versions. */
export function nextNumber(names: readonly string[]): number {
  let max = 0;
  for (const n of names) {
    const m = /^v(\d+)$/.exec(n);
    if (m !== null) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

/** Removes temp pointer files and staging folders left by killed processes (call under the lock). */
export async function cleanTempFiles(dir: string): Promise<void> {
  // Left by a process killed mid-write or mid-stage; only called under the model's lock.
  const remove = async (folder: string, test: (name: string) => boolean): Promise<void> => {
    const names = await readdir(folder).catch(() => [] as string[]);
    await Promise.all(names.filter(test).map((n) => rm(join(folder, n), { recursive: true, force: true })));
  };
  await remove(dir, (n) => n.startsWith(".active.json.") && n.endsWith(".tmp"));
  await remove(join(dir, "versions"), (n) => n.startsWith(".staging-"));
}

/** The value as a plain object, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A run folder's `meta.json`, or undefined when `from` is not a run folder. */
export async function readRunMeta(from: string): Promise<Record<string, unknown> | undefined> {
  try {
    return asRecord(JSON.parse(await readFile(join(from, "meta.json"), "utf8")));
  } catch {
    return undefined;
  }
}

/** The gate metric a version gets by default: the first known metric it has. */
export function guessGateMetric(metrics: Record<string, number>): GateMetric | undefined {
  for (const name of ["test.mae", "val.mae", "val.map", "test_final.map", "test.accuracy", "val.accuracy", "val.macro_f1", "final.val_loss"]) {
    if (metrics[name] !== undefined) return { name, greaterIsBetter: greaterIsBetterFor(name) };
  }
  return undefined;
}
