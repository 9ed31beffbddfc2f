/**
 * Finds the annotations of a few images in the raw bytes of a COCO file, so the first page can show
 * its boxes before `JSON.parse` of the whole file is done. It looks for each `"image_id"` key with
 * a native search, and decodes only the annotation objects whose image it wants. A match counts
 * only when the decoded object really is an annotation of that image (`id`, `category_id`, the
 * same `image_id`). An annotation this misses (e.g. one whose strings hold braces) appears when
 * the full parse is done. Pure: no I/O.
 * Format: https://cocodataset.org/#format-data
 */
import type { CocoAnn } from "./coco-model.js";
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, isSpace, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from "./json-bytes.js";

const KEY = Buffer.from('"image_id"');
const isNumberByte = (b: number | undefined): boolean => b !== undefined && ((b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x65 || b === 0x45);

/** The value after `"image_id"` at `at` (a number or a string) and where it ends; null when it is neither. */
function readId(bytes: Buffer, at: number): { id: number | string; end: number } | null {
  let p = at + KEY.length;
  while (isSpace(bytes[p])) p++;
  if (bytes[p] !== 0x3a) return null; // not a key (e.g. the text "image_id" inside a string)
  p++;
  while (isSpace(bytes[p])) p++;
  const start = p;
  if (bytes[p] === QUOTE) {
    p++;
    while (p < bytes.length && bytes[p] !== QUOTE) p += bytes[p] === BACKSLASH ? 2 : 1;
    try {
      return { id: JSON.parse(bytes.toString("utf8", start, p + 1)) as string, end: p + 1 };
    } catch {
      return null;
    }
  }
  while (isNumberByte(bytes[p])) p++;
  const id = Number(bytes.toString("latin1", start, p));
  return p > start && Number.isFinite(id) ? { id, end: p } : null;
}

/** The `{` that opens the object around `at`, counting braces backwards (strings are not tracked; the result is checked). */
function objectStart(bytes: Buffer, at: number): number {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    const b = bytes[i];
    if (b === CLOSE_OBJECT) depth++;
    else if (b === OPEN_OBJECT) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** The end (exclusive) of the object or array that starts at `start`, or -1 when the bytes end first. */
function valueEnd(bytes: Buffer, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
    else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The annotations of `imageIds` found in `bytes`, by image id, in file order (each id has an entry).
 * @example
 * scanAnnotationsOf(Buffer.from(text), [1]).get(1); // [{ id: 10, image_id: 1, category_id: 3, bbox: [...] }]
 */
export function scanAnnotationsOf(bytes: Buffer, imageIds: ReadonlyArray<number | string>): Map<number | string, CocoAnn[]> {
  const found = new Map<number | string, CocoAnn[]>(imageIds.map((id) => [id, []]));
  let at = bytes.indexOf(KEY);
  while (at >= 0) {
    let next = at + KEY.length;
    const value = readId(bytes, at);
    const list = value === null ? undefined : found.get(value.id);
    if (value !== null && list !== undefined) {
      const start = objectStart(bytes, at);
      const end = start < 0 ? -1 : valueEnd(bytes, start);
      // The object must enclose the key: a brace inside a string can make the backward count stop early.
      const ann = end <= at ? undefined : decode(bytes, start, end);
      if (ann !== undefined && ann.image_id === value.id) {
        list.push(ann);
        next = end;
      } else next = value.end;
    }
    at = bytes.indexOf(KEY, next);
  }
  return found;
}

function decode(bytes: Buffer, start: number, end: number): CocoAnn | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8", start, end));
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const ann = value as Partial<CocoAnn>;
    return ann.id !== undefined && ann.category_id !== undefined ? (ann as CocoAnn) : undefined;
  } catch {
    return undefined;
  }
}
