/**
 * The list cells of the historical CSV (seed 003, Format 1) are Python reprs written by `str(list)`:
 * `"['/a.png', '/b.png']"` and `"[1.0, 3.0]"`. This reads them (the subset `ast.literal_eval`
 * accepts for flat lists of strings and numbers, plus JSON) and writes them the way the seed shows.
 */

import { TrainsetError } from "../util/errors.js";
import { pythonFloatRepr } from "../util/python-repr.js";

/** Internal signal between the reader's helpers; never leaves this module. */
class LiteralSyntax extends Error {}

/** The outcome of {@link tryParsePythonList}: the items, or why the text is not a list literal. */
export type PythonListResult = { ok: true; items: Array<string | number> } | { ok: false; reason: string };

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", "\\": "\\", "'": "'", '"': '"', "0": "\0", a: "\x07", b: "\b", f: "\f", v: "\v" };
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/;
// str() of a list of pathlib paths gives `[PosixPath('/a.png')]`; the path inside is what counts.
const PATH_WRAPPER = /^(?:PosixPath|WindowsPath|PurePosixPath|PureWindowsPath|Path)\(/;

/**
 * Parses a flat Python (or JSON) list of strings and numbers; throws a PARSE_ERROR otherwise.
 * @example parsePythonList("['/a.png', \"b'c.png\"]") // ["/a.png", "b'c.png"]
 */
export function parsePythonList(text: string): Array<string | number> {
  const result = tryParsePythonList(text);
  if (!result.ok) throw new TrainsetError("PARSE_ERROR", `Cannot read the Python list ${JSON.stringify(text.slice(0, 80))}: ${result.reason}`);
  return result.items;
}

/** Like {@link parsePythonList}, but returns the reason instead of throwing (for per-cell issues). */
export function tryParsePythonList(text: string): PythonListResult {
  try {
    return { ok: true, items: readList(text) };
  } catch (error) {
    if (error instanceof LiteralSyntax) return { ok: false, reason: error.message };
    throw error;
  }
}

function readList(text: string): Array<string | number> {
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? "")) i++;
  };
  const fail = (what: string): never => {
    throw new LiteralSyntax(`${what} at character ${i + 1}`);
  };
  const readString = (): string => {
    const quote = text[i];
    i++;
    let out = "";
    while (i < text.length) {
      const c = text[i] ?? "";
      if (c === quote) {
        i++;
        return out;
      }
      if (c === "\\") {
        const e = text[i + 1] ?? "";
        if (e === "x" || e === "u" || e === "U") {
          const digits = e === "x" ? 2 : e === "u" ? 4 : 8;
          const hex = text.slice(i + 2, i + 2 + digits);
          if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) fail(`bad \\${e} escape`);
          out += String.fromCodePoint(parseInt(hex, 16));
          i += 2 + digits;
          continue;
        }
        const mapped = ESCAPES[e];
        // Python keeps unknown escapes (`\d`) as the two characters.
        out += mapped ?? `\\${e}`;
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    return fail("unterminated string");
  };
  const readItem = (): string | number => {
    const c = text[i];
    if (c === "'" || c === '"') return readString();
    const wrapper = PATH_WRAPPER.exec(text.slice(i));
    if (wrapper !== null) {
      i += wrapper[0].length;
      skipSpace();
      if (text[i] !== "'" && text[i] !== '"') fail("expected a quoted path");
      const value = readString();
      skipSpace();
      if (text[i] !== ")") fail("expected )");
      i++;
      return value;
    }
    const number = NUMBER.exec(text.slice(i));
    if (number === null) return fail("expected a string or a number");
    i += number[0].length;
    return Number(number[0]);
  };

  skipSpace();
  if (text[i] !== "[" && text[i] !== "(") fail("expected [");
  const close = text[i] === "[" ? "]" : ")";
  i++;
  const items: Array<string | number> = [];
  skipSpace();
  if (text[i] === close) {
    i++;
  } else {
    for (;;) {
      skipSpace();
      items.push(readItem());
      skipSpace();
      if (text[i] === ",") {
        i++;
        skipSpace();
        if (text[i] === close) {
          i++;
          break;
        }
        continue;
      }
      if (text[i] === close) {
        i++;
        break;
      }
      fail(`expected , or ${close}`);
    }
  }
  skipSpace();
  if (i < text.length) fail("unexpected text after the list");
  return items;
}

/** A string as Python's `repr()` writes it: single quotes unless the text holds one and no double quote. */
export function pythonStringRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const c of value) {
    const code = c.codePointAt(0) ?? 0;
    if (c === "\\") out += "\\\\";
    else if (c === quote) out += `\\${quote}`;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += c;
  }
  return out + quote;
}

/**
 * Writes a list cell as seed 003 Format 1 shows it (no space after commas); Python's
 * `ast.literal_eval` reads it back.
 * @example formatPythonList(["/a.png", "/b.png"]) // "['/a.png','/b.png']"
 */
export function formatPythonList(values: readonly (string | number)[]): string {
  return `[${values.map((v) => (typeof v === "string" ? pythonStringRepr(v) : pythonFloatRepr(v))).join(",")}]`;
}
