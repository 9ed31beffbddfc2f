/**
 * Atomic file replacement for the editors (the extension host imports no runtime code from the
 * kernel): write a temp file in the same folder, flush it, rename it over the target.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Replaces `target` with `data`; on failure the target is untouched and the temp file removed. */
export async function saveAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(temp, "w", 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error: unknown) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Like {@link saveAtomic}, but `write` streams the content into the temp file's handle. */
export async function saveAtomicStream(target: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(temp, "w", 0o644);
    try {
      await write(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error: unknown) {
    await rm(temp, { force: true });
    throw error;
  }
}
