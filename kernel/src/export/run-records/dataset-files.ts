/** File helpers of a run-record dataset folder: existence checks and temp + rename writes. */
import { randomBytes } from "node:crypto";
import { readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ioError, systemErrorCode } from "../../util/errors.js";

/** Whether `path` exists; errors other than ENOENT are thrown as I/O errors. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (systemErrorCode(error) === "ENOENT") return false;
    throw ioError("check", path, error);
  }
}

/** Temp files of atomic writes (`.<name>.<pid>.<8 hex>.tmp`) that a killed export left behind. */
const STALE_TEMP = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Removes temp files that another (killed) process left in the folder, its images and annotations. */
export async function removeStaleTemps(dir: string): Promise<void> {
  for (const sub of [dir, join(dir, "images"), join(dir, "annotations")]) {
    for (const name of await readdir(sub)) {
      const match = STALE_TEMP.exec(name);
      if (match !== null && Number(match[1]) !== process.pid) await rm(join(sub, name), { force: true });
    }
  }
}

/** temp + rename without fsync: atomic against a killed process, not against power loss. */
export async function writeFileRenamed(target: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, data, { flag: "wx" });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw ioError("write", target, error);
  }
}
