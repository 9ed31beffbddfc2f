/**
 * Line offsets of a JSONL file, built while streaming it once in chunks (no full read into
 * memory): the first page can be shown as soon as its lines are indexed. Pure Node, no `vscode`.
 */
import { open, type FileHandle } from "node:fs/promises";

const CHUNK = 4 * 1024 * 1024;
/** The first read is small so the first page can show before the first full chunk is in. */
const FIRST_CHUNK = 256 * 1024;

/** Options of {@link indexLines}. */
export interface IndexLinesOptions {
  /** Called after each chunk with the lines indexed so far (default: nothing). */
  onProgress?: (lines: number) => void;
  /** Stops early when aborted. */
  signal?: AbortSignal;
  /**
   * Awaited once, after the first chunk that completes `holdAfterLines` lines (default: none):
   * holds the rest of the file back, e.g. while the first page is shown, so indexing does not
   * compete for the CPU with the editor's start.
   */
  hold?: Promise<void>;
  /** Lines to index before `hold` is awaited (default 0: after the first chunk). */
  holdAfterLines?: number;
}

/** Start offsets of every line, plus the file's size (a final line without "\n" counts). */
export class LineIndex {
  private starts = new Float64Array(1 << 16);
  count = 0;
  size = 0;
  done = false;
  /** The file ends with "\n" (the last line's range stops before it). */
  trailingNewline = false;
  private waiters: Array<{ lines: number; wake: () => void }> = [];

  /** Adds a line starting at `offset`. */
  push(offset: number): void {
    if (this.count === this.starts.length) {
      const next = new Float64Array(this.starts.length * 2);
      next.set(this.starts);
      this.starts = next;
    }
    this.starts[this.count++] = offset;
  }

  /** Lines that can be read now: all once done, else all but the one still being read. */
  get available(): number {
    return this.done ? this.count : Math.max(0, this.count - 1);
  }

  /** Resolves once `lines` lines can be read, or once the whole file is indexed. */
  whenAvailable(lines: number): Promise<void> {
    if (this.done || this.available >= lines) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ lines, wake }));
  }

  /** Wakes the waiters that can go on (the indexer calls it after each chunk and at the end). */
  notify(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!this.done && this.available < w.lines) return true;
      w.wake();
      return false;
    });
  }

  /** Byte range `[start, end)` of line `i` (0-based), without its "\n". */
  range(i: number): [number, number] {
    const start = this.starts[i] ?? this.size;
    const end = i + 1 < this.count ? (this.starts[i + 1] ?? this.size) - 1 : this.size - (this.trailingNewline ? 1 : 0);
    return [start, Math.max(start, end)];
  }
}

/** Streams `path` once and fills `index` (readable while it grows); resolves when the whole file is indexed. */
export async function indexLines(path: string, index: LineIndex, options: IndexLinesOptions = {}): Promise<LineIndex> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let position = 0;
    let atLineStart = true;
    let hold = options.hold;
    for (;;) {
      if (options.signal?.aborted === true) break;
      const { bytesRead } = await handle.read(buffer, 0, position === 0 ? FIRST_CHUNK : CHUNK, position);
      if (bytesRead === 0) break;
      let from = 0;
      if (atLineStart) index.push(position);
      atLineStart = false;
      for (;;) {
        const nl = buffer.indexOf(10, from);
        if (nl < 0 || nl >= bytesRead) break;
        from = nl + 1;
        if (from < bytesRead) index.push(position + from);
        else atLineStart = true;
      }
      position += bytesRead;
      index.size = position;
      index.trailingNewline = atLineStart;
      index.notify();
      options.onProgress?.(index.count);
      if (hold !== undefined && index.available >= (options.holdAfterLines ?? 0)) {
        await hold;
        hold = undefined;
      } else {
        // Let the extension host answer other requests between chunks.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    await handle.close();
  }
  index.done = true;
  index.notify();
  return index;
}

/** Reads lines `[from, to)` (0-based) as text. */
export async function readLineRange(handle: FileHandle, index: LineIndex, from: number, to: number): Promise<string[]> {
  if (from >= to) return [];
  const [start] = index.range(from);
  const [, end] = index.range(to - 1);
  const buffer = Buffer.alloc(end - start);
  await handle.read(buffer, 0, buffer.length, start);
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const [s, e] = index.range(i);
    out.push(buffer.toString("utf8", s - start, e - start).replace(/\r$/, ""));
  }
  return out;
}
