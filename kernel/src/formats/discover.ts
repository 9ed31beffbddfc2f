/** Finds every dataset trainset recognises under a folder (for `validate DIR`, `stats DIR`). */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { ioError, isTrainsetError } from "../util/errors.js";
import type { FormatHandler } from "./format-handler.js";
import { detectFormat } from "./registry.js";

/** A recognised dataset on disk. */
export interface DiscoveredDataset {
  path: string;
  handler: FormatHandler;
}

const SKIP = new Set(["node_modules", ".git", "images", "frames", "annotations", "videos"]);

/**
 * Returns `path` itself when it is a dataset, else every dataset below it (sorted by path).
 * Folders that are datasets (run-record) are not searched further.
 * @example for (const d of await discoverDatasets("demo-workspace")) console.log(d.handler.format, d.path);
 */
export async function discoverDatasets(path: string, options: { maxDepth?: number } = {}): Promise<DiscoveredDataset[]> {
  try {
    return [{ path, handler: await detectFormat(path) }];
  } catch (error) {
    if (!isTrainsetError(error, "UNSUPPORTED_FORMAT")) throw error;
  }
  const info = await stat(path).catch((error: unknown) => {
    throw ioError("read", path, error);
  });
  if (!info.isDirectory()) return [];
  const found: DiscoveredDataset[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      throw ioError("list", dir, error);
    });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const child = join(dir, entry.name);
      if (entry.isDirectory() && SKIP.has(entry.name)) continue;
      if (!entry.isDirectory() && !entry.isFile()) continue;
      try {
        found.push({ path: child, handler: await detectFormat(child) });
        continue;
      } catch (error) {
        if (!isTrainsetError(error, "UNSUPPORTED_FORMAT")) throw error;
      }
      if (entry.isDirectory() && depth < (options.maxDepth ?? 6)) await walk(child, depth + 1);
    }
  };
  await walk(path, 0);
  return found;
}
