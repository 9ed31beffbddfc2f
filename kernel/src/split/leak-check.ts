/**
 * Leak checks between split files: groups found in more than one split, and the same image (by
 * the SHA-256 of its bytes) in more than one split, whatever its name there.
 */
import { resolve } from "node:path";
import type { DatasetFormat } from "../formats/format-handler.js";
import { isTrainsetError } from "../util/errors.js";
import { sha256File } from "../util/hashing.js";
import { throttleProgress, throwIfAborted, type RunControl } from "../util/run-control.js";
import type { SplitSourceOptions } from "./adapters/split-source.js";
import { readSplitSource } from "./split-file.js";

/** Options for {@link checkLeaks}. */
export interface CheckLeaksOptions extends RunControl, SplitSourceOptions {
  /** Skip detection (default: detected per file). */
  format?: DatasetFormat;
  /** Hash image files to find the same image under different names (default true). */
  hashImages?: boolean;
  /** Files hashed at once (default 8). */
  concurrency?: number;
  /** Most entries listed per finding kind (default 1000; the counts are always complete). */
  maxListed?: number;
}

/** One split file as the check saw it. */
export interface LeakCheckFile {
  path: string;
  format: DatasetFormat;
  samples: number;
  groups: number;
  images: number;
}

/** What {@link checkLeaks} found. */
export interface LeakReport {
  files: LeakCheckFile[];
  /** Groups present in more than one file. */
  sharedGroups: { group: string; files: string[] }[];
  sharedGroupCount: number;
  /** Images (same bytes, or the same path when a file is missing) in more than one file. */
  duplicateImages: { sha256: string | null; occurrences: { file: string; name: string }[] }[];
  duplicateImageCount: number;
  /** Image files that do not exist (compared by path instead); 0 when not hashing. */
  missingImages: number;
  /** Whether content hashes were compared. */
  hashed: boolean;
  /** True when any group or image is shared. */
  leak: boolean;
}

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Compares split files (any supported format, detected per file) for shared groups and images.
 * @example
 * const report = await checkLeaks(["splits/train.jsonl", "splits/val.jsonl", "splits/test.jsonl"]);
 * if (report.leak) console.log(report.sharedGroups);
 */
export async function checkLeaks(
  paths: readonly string[],
  options: CheckLeaksOptions = {},
): Promise<LeakReport> {
  if (paths.length < 2)
    throw new RangeError("Cannot check for leaks: give at least two split files");
  const maxListed = options.maxListed ?? 1000;
  const hashImages = options.hashImages ?? true;
  const files: LeakCheckFile[] = [];
  const groupFiles = new Map<string, number[]>();
  const refs: { file: number; name: string; path: string }[][] = [];
  for (let f = 0; f < paths.length; f++) {
    throwIfAborted(options.signal, "check for leaks");
    const path = paths[f] ?? "";
    const source = await readSplitSource(path, options);
    const groups = new Set<string>();
    const mine: { file: number; name: string; path: string }[] = [];
    source.rows.forEach((row, i) => {
      groups.add(row.group);
      for (const ref of source.images(i))
        mine.push({ file: f, name: ref.name, path: resolve(ref.path) });
    });
    for (const group of groups) {
      const list = groupFiles.get(group);
      if (list === undefined) groupFiles.set(group, [f]);
      else list.push(f);
    }
    refs.push(mine);
    files.push({
      path,
      format: source.format,
      samples: source.rows.length,
      groups: groups.size,
      images: new Set(mine.map((r) => r.path)).size,
    });
  }
  const shared = [...groupFiles].filter(([, list]) => list.length > 1);
  const sharedGroups = shared
    .slice(0, maxListed)
    .map(([group, list]) => ({ group, files: list.map((f) => paths[f] ?? "") }));

  // Content ids: the SHA-256 of each distinct file, or its path when it cannot be read.
  const distinct = [...new Set(refs.flat().map((r) => r.path))].sort();
  const hashOf = new Map<string, string | null>();
  let missing = 0;
  const progress = throttleProgress(options.onProgress);
  let done = 0;
  if (hashImages) {
    await mapLimit(distinct, options.concurrency ?? 8, async (path) => {
      throwIfAborted(options.signal, "check for leaks");
      try {
        hashOf.set(path, await sha256File(path));
      } catch (error) {
        if (!isTrainsetError(error, "NOT_FOUND")) throw error;
        hashOf.set(path, null);
        missing++;
      }
      progress({ phase: "hash images", done: ++done, total: distinct.length, unit: "files" });
    });
  }
  const byContent = new Map<
    string,
    {
      sha256: string | null;
      files: Set<number>;
      occurrences: Map<string, { file: string; name: string }>;
    }
  >();
  for (const ref of refs.flat()) {
    const sha = hashOf.get(ref.path) ?? null;
    const key = sha === null ? `path:${ref.path}` : `sha:${sha}`;
    let entry = byContent.get(key);
    if (entry === undefined)
      byContent.set(key, (entry = { sha256: sha, files: new Set(), occurrences: new Map() }));
    entry.files.add(ref.file);
    entry.occurrences.set(`${ref.file}\u0000${ref.name}`, {
      file: paths[ref.file] ?? "",
      name: ref.name,
    });
  }
  const duplicates = [...byContent.values()].filter((e) => e.files.size > 1);
  const duplicateImages = duplicates
    .slice(0, maxListed)
    .map((e) => ({ sha256: e.sha256, occurrences: [...e.occurrences.values()] }));
  return {
    files,
    sharedGroups,
    sharedGroupCount: shared.length,
    duplicateImages,
    duplicateImageCount: duplicates.length,
    missingImages: missing,
    hashed: hashImages,
    leak: shared.length > 0 || duplicates.length > 0,
  };
}
