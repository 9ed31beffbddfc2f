/**
 * Recursive scan of a RAW or FINAL folder: keeps a compact record per image whose name parses,
 * and accounts for everything else (unparsed image names, other files, unreadable entries), so
 * nothing is dropped silently.
 */
import { readdirSync, statSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { errorMessage, ioError, TrainsetError } from "../util/errors.js";
import type { RunControl } from "../util/run-control.js";
import { DEFAULT_IMAGE_EXTENSIONS, explainUnparsedName, extensionOf, matchImageName, type ParsedImageName } from "./parse-name.js";

/** One image found by the scan: where it is and what its name says. */
export interface ScannedImage extends ParsedImageName {
  /** Path relative to the scanned root, with `/` separators. */
  rel: string;
  /** Folder part of `rel` ("" at the root). */
  dir: string;
  /** File name. */
  name: string;
}

/** An image file whose name does not follow the naming pattern. */
export interface UnparsedFile {
  path: string;
  reason: string;
}

/** An entry that could not be read (dangling link, permission denied…). */
export interface UnreadableFile {
  path: string;
  error: string;
}

/** Everything a scan found under one root. */
export interface ScanResult {
  root: string;
  images: ScannedImage[];
  unparsed: UnparsedFile[];
  unreadable: UnreadableFile[];
  /** Files skipped for their extension, by lower-case extension (`(none)` when there is none). */
  ignored: Record<string, number>;
  directories: number;
}

/** Options for {@link scanImageTree}. */
export interface ScanOptions extends RunControl {
  /** Extensions to scan, without dots, any case (default png, jpg, jpeg, webp). */
  extensions?: readonly string[];
  /** Phase name for progress ticks (default `scan`). */
  phase?: string;
  /** Name of the folder in messages, e.g. `RAW folder` (default `folder`). */
  label?: string;
}

// Entries handled between two event-loop turns: keeps cancellation and progress responsive
// without paying an async round trip per file.
const BATCH = 4096;

/**
 * Walks `root` recursively (following links, guarding against loops) and classifies every file.
 * @example
 * const raw = await scanImageTree("archives/mojo1_raw", { label: "RAW folder" });
 * console.log(raw.images.length, raw.unparsed.length);
 */
export async function scanImageTree(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  const label = options.label ?? "folder";
  const phase = options.phase ?? "scan";
  const extensions = new Set((options.extensions ?? DEFAULT_IMAGE_EXTENSIONS).map((e) => e.replace(/^\./, "").toLowerCase()));
  let rootStat;
  try {
    rootStat = statSync(root);
  } catch (error) {
    throw ioError(`scan the ${label}`, root, error);
  }
  if (!rootStat.isDirectory()) {
    throw new TrainsetError("IO_ERROR", `Cannot scan the ${label} "${root}": it is not a directory`, { file: root });
  }
  const result: ScanResult = { root, images: [], unparsed: [], unreadable: [], ignored: {}, directories: 0 };
  const visited = new Set<string>();
  // Real folders first, linked ones afterwards, so an image reachable both ways keeps its real path.
  const pending: string[] = [""];
  const linked: string[] = [];
  let sinceYield = 0;
  let files = 0;
  const abortMessage = `scan the ${label} "${root}"`;

  // Per-file work is kept allocation-light: a scan holds every RAW image alive until the end,
  // and each extra string or object is copied again by every young-generation GC.
  const known = [...extensions];
  const dotted = known.map((ext) => `.${ext}`);
  const extensionFor = (name: string): string => {
    for (let i = 0; i < dotted.length; i++) if (name.endsWith(dotted[i] as string)) return known[i] as string;
    return extensionOf(name);
  };
  const addFile = (rel: string, dir: string, name: string): void => {
    files++;
    const ext = extensionFor(name);
    if (!extensions.has(ext)) {
      const key = ext === "" ? "(none)" : ext;
      result.ignored[key] = (result.ignored[key] ?? 0) + 1;
      return;
    }
    const m = matchImageName(name);
    if (m === null) result.unparsed.push({ path: rel, reason: explainUnparsedName(name) });
    else result.images.push({ rel, dir, name, timestamp: m[1] ?? "", stage: Number(m[2]), suffix: m[3] ?? null, ext });
  };

  while (pending.length > 0 || linked.length > 0) {
    const dir = pending.pop() ?? linked.pop() ?? "";
    const full = dir === "" ? root : join(root, dir);
    let entries: Dirent[];
    try {
      // One stat per folder (folders are few) lets links that point back up be skipped.
      const stat = statSync(full);
      const id = `${stat.dev}:${stat.ino}`;
      if (visited.has(id)) continue;
      visited.add(id);
      entries = readdirSync(full, { withFileTypes: true });
    } catch (error) {
      result.unreadable.push({ path: dir, error: ioError("list", full, error).message });
      continue;
    }
    result.directories++;
    const prefix = dir === "" ? "" : `${dir}/`;
    for (const entry of entries) {
      const name = entry.name;
      const rel = prefix === "" ? name : prefix + name;
      if (entry.isFile()) addFile(rel, dir, name);
      else if (entry.isDirectory()) pending.push(rel);
      else {
        // Links and entries whose type the filesystem did not report: ask stat.
        let stat;
        try {
          stat = statSync(join(full, name));
        } catch (error) {
          result.unreadable.push({ path: rel, error: describeEntryError(full, name, error) });
          continue;
        }
        if (stat.isFile()) addFile(rel, dir, name);
        else if (stat.isDirectory()) linked.push(rel);
        else result.ignored["(special)"] = (result.ignored["(special)"] ?? 0) + 1;
      }
      if (++sinceYield >= BATCH) {
        sinceYield = 0;
        options.onProgress?.({ phase, done: files, unit: "files" });
        await nextTurn();
        if (options.signal?.aborted === true) {
          throw new TrainsetError("ABORTED", `Cannot ${abortMessage}: it was cancelled`, { cause: options.signal.reason });
        }
      }
    }
  }
  options.onProgress?.({ phase, done: files, total: files, unit: "files" });
  return result;
}

function describeEntryError(dir: string, name: string, error: unknown): string {
  const path = join(dir, name);
  const code = (error as { code?: unknown }).code;
  if (code === "ENOENT") return `Cannot read "${path}": it is a link whose target does not exist`;
  if (code === "ELOOP") return `Cannot read "${path}": it is a link that loops back on itself`;
  return ioError("read", path, error).message || errorMessage(error);
}
