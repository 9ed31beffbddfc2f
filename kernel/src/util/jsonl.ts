/**
 * JSON Lines (https://jsonlines.org): a streaming reader that reports `file:line` for a broken
 * line, and an append writer that never leaves a torn line and repairs one left by a crash.
 */
import { createReadStream } from "node:fs";
import { mkdir, open, writeFile, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { ioError, TrainsetError } from "./errors.js";
import type { IssueCollector, ValidationIssue } from "./issues.js";

/** A parsed value with its 1-based line number. */
export interface JsonlLine<T = unknown> {
  value: T;
  line: number;
}

/** Options for reading JSONL. */
export interface JsonlReadOptions {
  /** Path shown in messages (defaults to the path read). */
  file?: string;
  /**
   * Where broken lines are reported. Without one, the first broken line throws (strict).
   * With a collect-mode collector, broken lines are recorded and skipped.
   */
  issues?: IssueCollector;
  signal?: AbortSignal;
}

const NEWLINE = 0x0a;

function describeJsonError(error: unknown): string {
  return error instanceof Error ? error.message.replace(/^Unexpected/, "unexpected") : String(error);
}

function lineIssue(
  collector: IssueCollector | undefined,
  file: string | undefined,
  line: number,
  torn: boolean,
  error: unknown,
): void {
  const what = torn
    ? `line ${line} is incomplete: the file ends mid-record (a writer probably crashed); appending with trainset repairs it`
    : `line ${line} is not valid JSON (${describeJsonError(error)})`;
  if (collector === undefined) {
    const where = file === undefined ? "JSONL" : `JSONL "${file}"`;
    throw new TrainsetError("PARSE_ERROR", `Cannot read ${where}: ${what}`, {
      ...(file === undefined ? {} : { file }),
      line,
    });
  }
  collector.error(torn ? "torn-line" : "invalid-json", what, { line });
}

/** Parses one line; blank lines yield undefined. */
function parseLine(text: string): { ok: true; value: unknown } | { ok: false; error: unknown } | undefined {
  const trimmed = text.endsWith("\r") ? text.slice(0, -1) : text;
  if (trimmed.trim() === "") return undefined;
  try {
    return { ok: true, value: JSON.parse(trimmed) as unknown };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Parses JSONL text. Pure: broken lines go to `issues` (or throw without one).
 * @example parseJsonl('{"a":1}\n{"a":2}\n').map((l) => l.value)
 */
export function parseJsonl(text: string, options: Omit<JsonlReadOptions, "signal"> = {}): JsonlLine[] {
  const out: JsonlLine[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split("\n");
  const endsWithNewline = body.endsWith("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const parsed = parseLine(raw);
    if (parsed === undefined) continue;
    const line = i + 1;
    if (parsed.ok) out.push({ value: parsed.value, line });
    else lineIssue(options.issues, options.file, line, i === lines.length - 1 && !endsWithNewline, parsed.error);
  }
  return out;
}

/**
 * Streams a JSONL file line by line in constant memory.
 * @example
 * for await (const { value, line } of readJsonl("manifest.jsonl")) console.log(line, value);
 */
export async function* readJsonl(path: string, options: JsonlReadOptions = {}): AsyncGenerator<JsonlLine> {
  const file = options.file ?? path;
  const decoder = new StringDecoder("utf8");
  let pending = "";
  let line = 0;
  let first = true;
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      if (options.signal?.aborted === true) {
        throw new TrainsetError("ABORTED", `Cannot read JSONL "${file}": it was cancelled`);
      }
      let text = pending + decoder.write(chunk as Buffer);
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      let start = 0;
      let nl = text.indexOf("\n", start);
      while (nl !== -1) {
        line++;
        const raw = text.slice(start, nl);
        const parsed = parseLine(raw);
        if (parsed !== undefined) {
          if (parsed.ok) yield { value: parsed.value, line };
          else lineIssue(options.issues, file, line, false, parsed.error);
        }
        start = nl + 1;
        nl = text.indexOf("\n", start);
      }
      pending = text.slice(start);
    }
  } catch (error) {
    if (error instanceof TrainsetError) throw error;
    throw ioError("read", file, error);
  } finally {
    stream.destroy();
  }
  pending += decoder.end();
  if (pending.length > 0) {
    line++;
    const parsed = parseLine(pending);
    if (parsed !== undefined) {
      if (parsed.ok) yield { value: parsed.value, line };
      else lineIssue(options.issues, file, line, true, parsed.error);
    }
  }
}

/** Reads a whole JSONL file into memory (use `readJsonl` for large files). */
export async function readJsonlAll(path: string, options: JsonlReadOptions = {}): Promise<JsonlLine[]> {
  const out: JsonlLine[] = [];
  for await (const item of readJsonl(path, options)) out.push(item);
  return out;
}

/** What opening an appender found and fixed at the end of the file. */
export interface TailRepair {
  /** `missing-newline`: the last record was complete, a newline was added. `torn-line`: a partial record was cut off. */
  kind: "missing-newline" | "torn-line";
  /** 1-based line number of the repaired line. */
  line: number;
  /** Bytes removed (0 for missing-newline). */
  removedBytes: number;
  /** Where the removed bytes were saved, so nothing the user had is lost. */
  savedTo?: string;
}

/** Options for {@link openJsonlAppender}. */
export interface JsonlAppenderOptions {
  /** fsync after every append (default false: the OS flushes; a crash still never tears a line). */
  fsync?: boolean;
  /** Called when a torn tail was repaired on open. */
  onRepair?: (repair: TailRepair) => void;
}

/** Appends records to a JSONL file, one `write()` per call so lines never interleave or tear. */
export class JsonlAppender {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly fsync: boolean,
    /** What was repaired on open, if anything. */
    readonly repair: TailRepair | undefined,
  ) {}

  /** @internal use {@link openJsonlAppender} */
  static async open(path: string, options: JsonlAppenderOptions): Promise<JsonlAppender> {
    await mkdir(dirname(path), { recursive: true });
    const repair = await repairTornTail(path);
    if (repair !== undefined) options.onRepair?.(repair);
    let handle: FileHandle;
    try {
      handle = await open(path, "a");
    } catch (error) {
      throw ioError("append to", path, error);
    }
    return new JsonlAppender(path, handle, options.fsync ?? false, repair);
  }

  /** Appends one record, or each element of an array (written in a single call). */
  async append(records: unknown): Promise<void> {
    const list: readonly unknown[] = Array.isArray(records) ? records : [records];
    if (list.length === 0) return;
    let text = "";
    for (const record of list) {
      const json = JSON.stringify(record);
      if (json === undefined) throw new TypeError("Cannot append to JSONL: a record is not JSON-serialisable");
      text += json + "\n";
    }
    try {
      await this.handle.write(text);
      if (this.fsync) await this.handle.sync();
    } catch (error) {
      throw ioError("append to", this.path, error);
    }
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    await this.handle.sync().catch(() => undefined);
    await this.handle.close();
  }
}

/**
 * Opens `path` for appending, repairing a torn tail left by an earlier crash first.
 * @example
 * const out = await openJsonlAppender("manifest.jsonl", { onRepair: (r) => console.warn(r) });
 * await out.append({ id: "3f1c9a0b7d2e4c51" }); await out.close();
 */
export async function openJsonlAppender(path: string, options: JsonlAppenderOptions = {}): Promise<JsonlAppender> {
  return JsonlAppender.open(path, options);
}

/**
 * Makes sure `path` ends with a newline: a complete last record gets one; a partial record is
 * cut off and saved beside the file as `<name>.torn-<time>`. Returns what was done.
 */
export async function repairTornTail(path: string): Promise<TailRepair | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r+");
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return undefined;
    throw ioError("open", path, error);
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === NEWLINE) return undefined;
    // Scan backwards for the previous newline, in blocks.
    const block = 64 * 1024;
    let tailStart = 0;
    let pos = size;
    search: while (pos > 0) {
      const from = Math.max(0, pos - block);
      const buf = Buffer.alloc(pos - from);
      await handle.read(buf, 0, buf.length, from);
      for (let i = buf.length - 1; i >= 0; i--) {
        if (buf[i] === NEWLINE) {
          tailStart = from + i + 1;
          break search;
        }
      }
      pos = from;
    }
    const tail = Buffer.alloc(size - tailStart);
    await handle.read(tail, 0, tail.length, tailStart);
    const line = (await countNewlines(handle, tailStart)) + 1;
    const text = tail.toString("utf8").replace(/\r$/, "");
    let complete = false;
    try {
      JSON.parse(text);
      complete = true;
    } catch {
      complete = text.trim() === "";
    }
    if (complete) {
      await handle.write("\n", size);
      await handle.sync();
      return { kind: "missing-newline", line, removedBytes: 0 };
    }
    const savedTo = `${path}.torn-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    await writeFile(savedTo, tail);
    await handle.truncate(tailStart);
    await handle.sync();
    return { kind: "torn-line", line, removedBytes: tail.length, savedTo };
  } finally {
    await handle.close();
  }
}

async function countNewlines(handle: FileHandle, end: number): Promise<number> {
  let count = 0;
  const buf = Buffer.alloc(1 << 20);
  for (let pos = 0; pos < end; ) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, end - pos), pos);
    if (bytesRead === 0) break;
    for (let i = 0; i < bytesRead; i++) if (buf[i] === NEWLINE) count++;
    pos += bytesRead;
  }
  return count;
}

/** Issues gathered while reading, exposed for callers that used collect mode. */
export type JsonlIssues = readonly ValidationIssue[];
