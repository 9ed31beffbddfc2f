/**
 * Finds the first image records of a COCO file in its raw bytes while the file is still being
 * read, so the box editor can show its first page before `JSON.parse` of the whole file is done.
 * Pure: it only looks at the bytes it is given. It walks the top-level object (strings, escapes and
 * nesting are respected, every other value is skipped) to the `"images"` array and decodes its first
 * `limit` elements one by one. Anything it does not understand ends the scan as "absent": the
 * caller then waits for the full parse, which reports the real error.
 * Format: https://cocodataset.org/#format-data
 */
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, COLON, COMMA, isSpace, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from "./json-bytes.js";

/** What the scanner knows so far. */
export type CocoImagesScanStatus = "scanning" | "found" | "absent";

/** Options of {@link CocoImagesScanner}. */
export interface CocoImagesScannerOptions {
  /** How many image records to collect; default 120. */
  limit?: number;
}


// Where the walk is: around the top-level object's keys, or inside the images array.
type Place = "start" | "key" | "in-key" | "colon" | "value" | "after-value" | "element" | "after-element";

const decoder = new TextDecoder();

/**
 * A resumable scan over one byte buffer that fills up from the front (the file being read into it):
 * call {@link feed} with how many bytes are valid now, as often as new bytes arrive.
 * @example
 * const scanner = new CocoImagesScanner(bytes, { limit: 2 });
 * scanner.feed(bytes.length); // "found"
 * scanner.images; // [{ id: 1, file_name: "a.jpg" }, { id: 2, file_name: "b.jpg" }]
 */
export class CocoImagesScanner {
  /** The image records found so far, in file order (objects only; other elements are skipped). */
  readonly images: Array<Record<string, unknown>> = [];
  private readonly limit: number;
  private state: CocoImagesScanStatus = "scanning";
  private pos = 0;
  private place: Place = "start";
  private keyStart = 0;
  private key = "";
  private escaped = false;
  // Skipping one value: its first byte, nesting depth, and whether we are inside a string.
  private skipping = false;
  private skipStart = 0;
  private depth = 0;
  private inString = false;
  private scalar = false;

  constructor(
    private readonly bytes: Uint8Array,
    options: CocoImagesScannerOptions = {},
  ) {
    this.limit = options.limit ?? 120;
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new RangeError(`Cannot scan COCO images: limit must be a positive integer, got ${this.limit}`);
  }

  /** "found" once `limit` images (or the whole array) are in {@link images}; "absent" when there is no usable images array. */
  get status(): CocoImagesScanStatus {
    return this.state;
  }

  /** Scans the bytes up to `end` (exclusive); returns the status. Call again with a larger `end` when more bytes were read. */
  feed(end: number): CocoImagesScanStatus {
    const bytes = this.bytes;
    const stop = Math.min(end, bytes.length);
    while (this.state === "scanning" && this.pos < stop) {
      if (this.skipping) {
        this.skip(stop);
        continue;
      }
      const b = bytes[this.pos] as number;
      switch (this.place) {
        case "start":
          if (isSpace(b)) break;
          if (b !== OPEN_OBJECT) return this.end("absent");
          this.place = "key";
          break;
        case "key":
          if (isSpace(b)) break;
          if (b === CLOSE_OBJECT) return this.end("absent");
          if (b !== QUOTE) return this.end("absent");
          this.place = "in-key";
          this.keyStart = this.pos + 1;
          this.escaped = false;
          break;
        case "in-key":
          if (this.escaped) this.escaped = false;
          else if (b === BACKSLASH) this.escaped = true;
          else if (b === QUOTE) {
            this.key = decoder.decode(bytes.subarray(this.keyStart, this.pos));
            this.place = "colon";
          }
          break;
        case "colon":
          if (isSpace(b)) break;
          if (b !== COLON) return this.end("absent");
          this.place = "value";
          break;
        case "value":
          if (isSpace(b)) break;
          if (this.key === "images") {
            if (b !== OPEN_ARRAY) return this.end("absent");
            this.place = "element";
            break;
          }
          this.beginSkip();
          this.place = "after-value";
          continue; // the value's first byte is read by skip()
        case "after-value":
          if (isSpace(b)) break;
          if (b === COMMA) this.place = "key";
          else return this.end("absent"); // "}" ends the object without images; anything else is malformed
          break;
        case "element":
          if (isSpace(b)) break;
          if (b === CLOSE_ARRAY) return this.end("found");
          this.beginSkip();
          this.place = "after-element";
          continue;
        case "after-element":
          if (isSpace(b)) break;
          if (b === CLOSE_ARRAY) return this.end("found");
          if (b !== COMMA) return this.end("absent");
          this.place = "element";
          break;
      }
      this.pos++;
    }
    return this.state;
  }

  private end(status: CocoImagesScanStatus): CocoImagesScanStatus {
    this.state = status;
    return status;
  }

  private beginSkip(): void {
    this.skipping = true;
    this.skipStart = this.pos;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    const b = this.bytes[this.pos] as number;
    this.scalar = b !== OPEN_OBJECT && b !== OPEN_ARRAY && b !== QUOTE;
  }

  /** Advances over the value being skipped; on its end, hands an images element to {@link element}. */
  private skip(stop: number): void {
    const bytes = this.bytes;
    let pos = this.pos;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let done = false;
    if (this.scalar) {
      // A number or literal ends before the next delimiter (which is not part of it).
      while (pos < stop) {
        const b = bytes[pos] as number;
        if (b === COMMA || b === CLOSE_ARRAY || b === CLOSE_OBJECT || isSpace(b)) {
          done = true;
          break;
        }
        pos++;
      }
    } else {
      while (pos < stop) {
        const b = bytes[pos++] as number;
        if (inString) {
          if (escaped) escaped = false;
          else if (b === BACKSLASH) escaped = true;
          else if (b === QUOTE) {
            inString = false;
            if (depth === 0) {
              done = true;
              break;
            }
          }
        } else if (b === QUOTE) inString = true;
        else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
        else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
          depth--;
          if (depth === 0) {
            done = true;
            break;
          }
        }
      }
    }
    this.pos = pos;
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    if (!done) return;
    this.skipping = false;
    if (this.place === "after-element") this.element(this.skipStart, pos);
  }

  private element(start: number, end: number): void {
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(this.bytes.subarray(start, end)));
    } catch {
      this.end("absent");
      return;
    }
    if (typeof value === "object" && value !== null && !Array.isArray(value)) this.images.push(value as Record<string, unknown>);
    if (this.images.length >= this.limit) this.end("found");
  }
}

/** The first `limit` image records of a complete COCO text, or null when none can be found this way. */
export function scanCocoImages(bytes: Uint8Array, options: CocoImagesScannerOptions = {}): Array<Record<string, unknown>> | null {
  const scanner = new CocoImagesScanner(bytes, options);
  return scanner.feed(bytes.length) === "found" ? scanner.images : null;
}
