/**
 * Writes that never leave a half-written file behind: data goes to a temp file in the same
 * folder, is flushed to disk, then renamed over the target (rename is atomic within a filesystem).
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ioError } from "./errors.js";

/** Options for atomic writes. */
export interface AtomicWriteOptions {
  /** File mode for a new file (default 0o644; keys and tokens use 0o600). */
  mode?: number;
  /** Create missing parent folders (default true). */
  mkdirs?: boolean;
}

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

async function syncDir(dir: string): Promise<void> {
  // Persist the rename itself; some filesystems refuse to open folders, which is harmless.
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

/**
 * Replaces `target` with `data` atomically.
 * @example
 * await writeFileAtomic("out/metadata.json", JSON.stringify(meta, null, 2) + "\n");
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  if (options.mkdirs ?? true) await mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  try {
    const handle = await open(temp, "wx", options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw ioError("write", target, error);
  }
  await syncDir(dirname(target));
}

/** Writes `value` as pretty JSON (2 spaces, final newline) atomically. */
export async function writeJsonAtomic(
  target: string,
  value: unknown,
  options: AtomicWriteOptions & { indent?: number } = {},
): Promise<void> {
  await writeFileAtomic(target, JSON.stringify(value, null, options.indent ?? 2) + "\n", options);
}

/** A writer into a temp file that becomes `target` only on `commit()`. */
export interface AtomicWriteStream {
  /** Buffers a chunk; writes to disk in 1 MiB blocks. */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Flushes, fsyncs and renames over the target. */
  commit(): Promise<void>;
  /** Drops the temp file; the target is untouched. */
  abort(): Promise<void>;
}

const BLOCK = 1 << 20;

/**
 * Opens a streaming atomic writer for large outputs (CSV tables, COCO files).
 * @example
 * const out = await createAtomicWriteStream("table.csv");
 * try { await out.write(header); await out.commit(); } catch (e) { await out.abort(); throw e; }
 */
export async function createAtomicWriteStream(
  target: string,
  options: AtomicWriteOptions = {},
): Promise<AtomicWriteStream> {
  if (options.mkdirs ?? true) await mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const handle = await open(temp, "wx", options.mode ?? 0o644).catch((error: unknown) => {
    throw ioError("write", target, error);
  });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let settled = false;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await handle.write(data);
  };
  const fail = async (error: unknown): Promise<never> => {
    settled = true;
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw ioError("write", target, error);
  };
  return {
    async write(chunk) {
      if (settled) throw new Error(`Cannot write "${target}": the writer is already closed`);
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      pending.push(buf);
      pendingBytes += buf.length;
      if (pendingBytes >= BLOCK) await flush().catch(fail);
    },
    async commit() {
      if (settled) return;
      try {
        await flush();
        await handle.sync();
        await handle.close();
        await rename(temp, target);
        settled = true;
      } catch (error) {
        await fail(error);
      }
      await syncDir(dirname(target));
    },
    async abort() {
      if (settled) return;
      settled = true;
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}

/**
 * Streams `lines` (each carrying its own line ending) into `target` atomically: the file appears
 * whole or not at all. The writer buffers into 1 MiB blocks, so callers pass lines one by one.
 * @example await writeLinesAtomic("pairs.jsonl", rows.map((r) => JSON.stringify(r) + "\n"));
 */
export async function writeLinesAtomic(target: string, lines: Iterable<string>, options: AtomicWriteOptions = {}): Promise<void> {
  const out = await createAtomicWriteStream(target, options);
  try {
    for (const line of lines) await out.write(line);
    await out.commit();
  } catch (error) {
    await out.abort();
    throw error;
  }
}
