/**
 * JSON parsing for COCO files larger than V8's maximum string (~512 MiB, e.g. LVIS train at
 * 1.1 GB): the top-level object is split on the bytes, and each value — each element of a
 * top-level array — goes through its own `JSON.parse`. The byte scanner only tracks strings
 * and bracket depth; JSON.parse still checks every piece, so the result equals `JSON.parse`
 * of the whole file.
 */
import { TrainsetError } from "../util/errors.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Options for {@link parseCocoSections}. */
export interface CocoSectionsOptions {
  /** Path shown in messages. */
  file?: string;
  signal?: AbortSignal;
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

class Scanner {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly file: string | undefined,
  ) {
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) this.pos = 3;
  }

  fail(what: string): never {
    let line = 1;
    for (let i = this.buf.indexOf(0x0a); i !== -1 && i < this.pos; i = this.buf.indexOf(0x0a, i + 1)) line++;
    const where = this.file === undefined ? "COCO" : `COCO "${this.file}"`;
    throw new TrainsetError("PARSE_ERROR", `Cannot read ${where}: not valid JSON (line ${line}): ${what} at byte ${this.pos}`, {
      ...(this.file === undefined ? {} : { file: this.file }),
      line,
    });
  }

  skipSpace(): number | undefined {
    const buf = this.buf;
    while (this.pos < buf.length && isSpace(buf[this.pos])) this.pos++;
    return buf[this.pos];
  }

  expect(byte: number, what: string): void {
    if (this.skipSpace() !== byte) this.fail(`expected ${what}`);
    this.pos++;
  }

  /** End (exclusive) of the JSON value starting at `pos`. */
  valueEnd(): number {
    const buf = this.buf;
    const start = this.pos;
    const first = buf[start];
    if (first === QUOTE) return this.stringEnd(start);
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
      let i = start;
      while (i < buf.length) {
        const b = buf[i];
        if (b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || isSpace(b)) break;
        i++;
      }
      if (i === start) this.fail("expected a value");
      return i;
    }
    let depth = 0;
    let inString = false;
    for (let i = start; i < buf.length; i++) {
      const b = buf[i];
      if (inString) {
        if (b === BACKSLASH) i++;
        else if (b === QUOTE) inString = false;
      } else if (b === QUOTE) {
        inString = true;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        depth++;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        if (--depth === 0) return i + 1;
      }
    }
    return this.fail("the file ends inside a value");
  }

  stringEnd(start: number): number {
    const buf = this.buf;
    for (let i = start + 1; i < buf.length; i++) {
      const b = buf[i];
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) return i + 1;
    }
    return this.fail("the file ends inside a string");
  }

  parse(start: number, end: number): unknown {
    try {
      return JSON.parse(this.buf.toString("utf8", start, end)) as unknown;
    } catch (error) {
      this.pos = start;
      return this.fail(error instanceof Error ? error.message : String(error));
    }
  }
}

/**
 * Parses a JSON object held in a Buffer of any size, one top-level value (or array element) at
 * a time.
 * @example
 * const coco = parseCocoSections(await readFile("lvis_v1_train.json"));
 */
export function parseCocoSections(buffer: Buffer, options: CocoSectionsOptions = {}): Record<string, unknown> {
  const s = new Scanner(buffer, options.file);
  const out: Record<string, unknown> = {};
  s.expect(OPEN_BRACE, "{ at the start");
  if (s.skipSpace() === CLOSE_BRACE) {
    s.pos++;
  } else {
    for (;;) {
      if (s.skipSpace() !== QUOTE) s.fail("expected a key");
      const keyEnd = s.stringEnd(s.pos);
      const key = s.parse(s.pos, keyEnd) as string;
      s.pos = keyEnd;
      s.expect(COLON, ":");
      if (s.skipSpace() === OPEN_BRACKET) {
        out[key] = parseArray(s, options.signal);
      } else {
        const end = s.valueEnd();
        out[key] = s.parse(s.pos, end);
        s.pos = end;
      }
      const next = s.skipSpace();
      s.pos++;
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) {
        s.pos--;
        s.fail("expected , or } after a value");
      }
    }
  }
  if (s.skipSpace() !== undefined) s.fail("unexpected data after the end of the object");
  return out;
}

function parseArray(s: Scanner, signal: AbortSignal | undefined): unknown[] {
  const list: unknown[] = [];
  s.pos++; // [
  if (s.skipSpace() === CLOSE_BRACKET) {
    s.pos++;
    return list;
  }
  for (;;) {
    s.skipSpace();
    const end = s.valueEnd();
    list.push(s.parse(s.pos, end));
    s.pos = end;
    const next = s.skipSpace();
    s.pos++;
    if (next === CLOSE_BRACKET) return list;
    if (next !== COMMA) {
      s.pos--;
      s.fail("expected , or ] in a list");
    }
    if ((list.length & 0xffff) === 0 && signal?.aborted === true) {
      throw new TrainsetError("ABORTED", `Cannot read COCO${s.file === undefined ? "" : ` "${s.file}"`}: it was cancelled`);
    }
  }
}
