/**
 * All-or-nothing annotation batches. Each line of a multi-item batch carries `batch` (an id) and
 * `batch_size`; a kill inside a large `write()` can keep the first complete lines of a batch, so
 * before the next append the trailing lines of an incomplete batch are cut off (and saved beside
 * the file, like a torn tail).
 */
import { open, writeFile, type FileHandle } from "node:fs/promises";
import { ioError, systemErrorCode } from "../util/errors.js";

/** What was cut off the end of the file. */
export interface PartialBatchRepair {
  batch: string;
  /** Lines of the batch that were present. */
  foundLines: number;
  /** Lines the batch should have had. */
  batchSize: number;
  removedBytes: number;
  savedTo: string;
}

interface TailLine {
  start: number;
  batch: string | undefined;
  size: number;
}

function describe(text: string, start: number): TailLine {
  try {
    const v = JSON.parse(text) as { batch?: unknown; batch_size?: unknown };
    return { start, batch: typeof v.batch === "string" ? v.batch : undefined, size: typeof v.batch_size === "number" ? v.batch_size : 1 };
  } catch {
    return { start, batch: undefined, size: 1 };
  }
}

async function tailLines(handle: FileHandle, size: number, bytes: number): Promise<{ lines: TailLine[]; fromStart: boolean }> {
  const from = Math.max(0, size - bytes);
  const buf = Buffer.alloc(size - from);
  await handle.read(buf, 0, buf.length, from);
  let text = buf.toString("utf8");
  let offset = from;
  if (from > 0) {
    const nl = buf.indexOf(0x0a);
    if (nl < 0) return { lines: [], fromStart: false };
    text = buf.subarray(nl + 1).toString("utf8");
    offset = from + nl + 1;
  }
  const lines: TailLine[] = [];
  let at = offset;
  for (const raw of text.split("\n")) {
    if (raw.trim() !== "") lines.push(describe(raw, at));
    at += Buffer.byteLength(raw) + 1;
  }
  return { lines, fromStart: from === 0 };
}

/** How many trailing items of `batches` form an incomplete batch (moved to formats/annotation-lines). */
export { trailingPartialBatch } from "../formats/annotation-lines.js";

/**
 * Cuts off a trailing incomplete batch (call under the file's lock, after torn-tail repair).
 * @example const cut = await repairPartialBatch("annotations.jsonl");
 */
export async function repairPartialBatch(path: string): Promise<PartialBatchRepair | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r+");
  } catch (error) {
    if (systemErrorCode(error) === "ENOENT") return undefined;
    throw ioError("open", path, error);
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    for (let bytes = 1 << 20; ; bytes *= 4) {
      const { lines, fromStart } = await tailLines(handle, size, bytes);
      const last = lines.at(-1);
      if (last === undefined) {
        if (fromStart) return undefined;
        continue;
      }
      if (last.batch === undefined) return undefined;
      let count = 0;
      let first = last.start;
      let bounded = false;
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = lines[i] as TailLine;
        if (line.batch !== last.batch) {
          bounded = true;
          break;
        }
        count++;
        first = line.start;
      }
      if (!bounded && !fromStart && count < last.size) continue;
      if (count >= last.size) return undefined;
      const removed = Buffer.alloc(size - first);
      await handle.read(removed, 0, removed.length, first);
      const savedTo = `${path}.partial-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      await writeFile(savedTo, removed);
      await handle.truncate(first);
      await handle.sync();
      return { batch: last.batch, foundLines: count, batchSize: last.size, removedBytes: removed.length, savedTo };
    }
  } finally {
    await handle.close();
  }
}
