/**
 * Lists the files of an export folder for bundling, refusing any path that escapes it: a symlink
 * whose target is outside the folder, a symlinked folder, or a special file (fifo, socket, device).
 * Symlinks to files inside the folder are bundled as the file they point to.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { TrainsetError, ioError } from "../util/errors.js";

/** One file to bundle. */
export interface InventoryFile {
  /** Path inside the export, with `/` separators. */
  path: string;
  /** The file to read (the symlink's target for symlinks). */
  source: string;
  size: number;
  mtimeMs: number;
  /** True when the export holds a symlink (inside the folder) at `path`. */
  linked: boolean;
}

const YIELD_EVERY = 1024;

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep);
}

/** A backslash or a control character: names other tools would misread. */
function unsafeName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x20 || code === 0x5c) return true;
  }
  return false;
}

function refuse(root: string, path: string, why: string): never {
  throw new TrainsetError("DATA_SAFETY", `Cannot bundle "${root}": ${path} ${why}`, { file: join(root, path), field: "path" });
}

/**
 * Walks `dir` (sorted, depth first) and returns its files; `skip` drops paths (e.g. the output).
 * @example const files = await listExportFiles("data/export/video_1");
 */
export async function listExportFiles(dir: string, skip: (absolute: string) => boolean = () => false): Promise<InventoryFile[]> {
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw new TrainsetError("VALIDATION_ERROR", `Cannot bundle "${dir}": it is not a folder`, { file: dir });
  } catch (error) {
    if (error instanceof TrainsetError) throw error;
    throw ioError("bundle", dir, error);
  }
  const files: InventoryFile[] = [];
  // Sync metadata calls: for a folder of many small files, one async lstat costs far more than
  // the syscall itself (thread-pool round trip, promise, GC); the event loop gets a turn every
  // YIELD_EVERY entries so cancellation and progress still run.
  let sinceYield = 0;
  const inspect = (abs: string, rel: string): InventoryFile | "dir" => {
    if (unsafeName(rel)) refuse(dir, JSON.stringify(rel), "has a backslash or control character in its name, which other tools would misread");
    const info = lstatSync(abs);
    if (info.isDirectory()) return "dir";
    if (info.isFile()) return { path: rel, source: abs, size: info.size, mtimeMs: info.mtimeMs, linked: false };
    if (!info.isSymbolicLink()) refuse(dir, rel, "is not a regular file (fifo, socket or device)");
    let target: string;
    try {
      target = realpathSync(abs);
    } catch {
      refuse(dir, rel, "is a symlink whose target does not exist");
    }
    if (!inside(root, target)) refuse(dir, rel, `is a symlink that escapes the export folder (it points to "${target}")`);
    const t = statSync(target);
    if (!t.isFile()) refuse(dir, rel, "is a symlink to a folder; bundles hold files only (replace it with the folder)");
    return { path: rel, source: target, size: t.size, mtimeMs: t.mtimeMs, linked: true };
  };
  // Paths are built by concatenation as the walk descends (no path.relative per file).
  const walk = async (folder: string, relFolder: string): Promise<void> => {
    for (const name of readdirSync(folder).sort()) {
      const abs = join(folder, name);
      if (skip(abs)) continue;
      const rel = relFolder + name;
      const entry = inspect(abs, rel);
      if (entry === "dir") await walk(abs, `${rel}/`);
      else files.push(entry);
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise<void>((res) => setImmediate(res));
      }
    }
  };
  await walk(root, "");
  return files;
}
