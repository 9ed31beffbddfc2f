/**
 * The JSONL document model: a line index built while streaming, lines read on demand, review
 * edits kept as an overlay of replaced lines (undoable), saved by streaming to a temp file and
 * renaming. Pure Node, no `vscode`.
 */
import { open, type FileHandle } from "node:fs/promises";
import { saveAtomicStream } from "../atomic-save.js";
import { indexLines, LineIndex, readLineRange } from "./line-index.js";

/** A review change: `reviewed` and the good/bad mark (`review`); null removes the mark. */
export interface ReviewPatch {
  reviewed?: boolean;
  mark?: "good" | "bad" | null;
}

/** One undoable edit: line texts before and after, by 0-based line. */
export interface JsonlEdit {
  label: string;
  lines: Array<{ line: number; before: string; after: string }>;
}

const SCAN = 20_000;

/** Applies a review patch to a line's JSON text; null when the line is not a JSON object. */
export function reviewLine(text: string, patch: ReviewPatch): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const next: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (patch.reviewed !== undefined) next["reviewed"] = patch.reviewed;
  if (patch.mark !== undefined) {
    if (patch.mark === null) delete next["review"];
    else {
      next["review"] = patch.mark;
      next["reviewed"] = true;
    }
  }
  return JSON.stringify(next);
}

/** Options of {@link JsonlModel.open}. */
export interface JsonlModelOptions {
  /** Called after each indexed chunk with the lines indexed so far (default: nothing). */
  onProgress?: (lines: number) => void;
  /** Indexing waits for it once `holdAfterLines` lines are indexed (default: no wait), as in `indexLines`. */
  hold?: Promise<void>;
  /** Lines to index before `hold` is awaited (default 0: after the first chunk). */
  holdAfterLines?: number;
}

/** An open JSONL file. */
export class JsonlModel {
  readonly index = new LineIndex();
  readonly indexed: Promise<LineIndex>;
  private overlay = new Map<number, string>();
  private readonly stop = new AbortController();

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    options: JsonlModelOptions,
  ) {
    this.indexed = indexLines(path, this.index, { ...options, signal: this.stop.signal });
  }

  /** Opens `path` and starts indexing it. */
  static async open(path: string, options: JsonlModelOptions = {}): Promise<JsonlModel> {
    return new JsonlModel(path, await open(path, "r"), options);
  }

  /** Lines `[from, to)` (0-based) with edits applied. */
  async lines(from: number, to: number): Promise<string[]> {
    const end = Math.min(to, this.index.available);
    const texts = await readLineRange(this.handle, this.index, from, end);
    return texts.map((t, i) => this.overlay.get(from + i) ?? t);
  }

  /**
   * The first `count` lines (edits applied) as soon as they are indexed, without waiting for the
   * rest of the file: what the viewer shows first.
   */
  async firstLines(count: number): Promise<string[]> {
    await Promise.race([this.index.whenAvailable(count), this.indexed]);
    return this.lines(0, count);
  }

  /** 0-based lines whose text contains `needle` (case-insensitive), or that are not JSON with `brokenOnly`. */
  async find(needle: string, brokenOnly: boolean): Promise<number[]> {
    await this.indexed;
    const lower = needle.toLowerCase();
    const out: number[] = [];
    for (let from = 0; from < this.index.count; from += SCAN) {
      const texts = await this.lines(from, from + SCAN);
      texts.forEach((text, i) => {
        if (lower !== "" && !text.toLowerCase().includes(lower)) return;
        if (brokenOnly && isJson(text)) return;
        out.push(from + i);
      });
    }
    return out;
  }

  /** The edit that applies `patch` to `lines` (0-based), or null when no line changes. */
  async makeReview(lines: number[], patch: ReviewPatch): Promise<JsonlEdit | null> {
    return this.makeEdit(lines, patch.mark !== undefined ? "Mark" : "Review", (text) => reviewLine(text, patch));
  }

  /** The edit that rewrites `lines` (0-based) with `rewrite` (null: leave the line), or null when nothing changes. */
  async makeEdit(lines: number[], label: string, rewrite: (text: string) => string | null): Promise<JsonlEdit | null> {
    const changes: JsonlEdit["lines"] = [];
    for (const line of lines) {
      const [before] = await this.lines(line, line + 1);
      if (before === undefined) continue;
      const after = rewrite(before);
      if (after !== null && after !== before) changes.push({ line, before, after });
    }
    return changes.length === 0 ? null : { label, lines: changes };
  }

  /** Applies an edit forwards or backwards. */
  apply(edit: JsonlEdit, backwards = false): void {
    for (const c of edit.lines) this.overlay.set(c.line, backwards ? c.before : c.after);
  }

  /** Writes the file with edits to `target` atomically (streamed in blocks of lines). */
  async save(target: string): Promise<void> {
    await this.indexed;
    const endsWithNewline = this.index.size === 0 || this.index.trailingNewline;
    await saveAtomicStream(target, async (out) => {
      for (let from = 0; from < this.index.count; from += SCAN) {
        const texts = await this.lines(from, from + SCAN);
        const last = from + texts.length >= this.index.count;
        await out.write(texts.join("\n") + (last && !endsWithNewline ? "" : "\n"));
      }
    });
  }

  /** Stops indexing and closes the file. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.handle.close();
  }

}

function isJson(text: string): boolean {
  if (text.trim() === "") return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
