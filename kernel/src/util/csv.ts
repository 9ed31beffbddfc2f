/**
 * CSV as Python's `csv` module writes it (RFC 4180 quoting, `\r\n` rows, QUOTE_MINIMAL), which is
 * what endoreg-db and the historical scripts produce. Reading accepts `\n` or `\r\n`, quoted
 * fields with embedded newlines and doubled quotes, and a UTF-8 BOM.
 */
import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { ioError, TrainsetError } from "./errors.js";

const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

/** One parsed CSV record with the line it starts on (1-based). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Incremental RFC 4180 parser: push text chunks, receive complete records. */
export class CsvParser {
  private field = "";
  private record: string[] = [];
  private inQuotes = false;
  private quoteSeen = false;
  private line = 1;
  private recordLine = 1;
  private atFieldStart = true;
  private started = false;

  constructor(private readonly file?: string) {}

  /** Feeds a chunk; returns the records completed by it. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let text = chunk;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (let i = 0; i < text.length; i++) {
      // Runs of ordinary characters are appended as one slice, not char by char: a frame table of
      // tens of thousands of rows would otherwise build millions of one-character concatenations.
      if (this.inQuotes) {
        let end = i;
        let newlines = 0;
        for (let code = text.charCodeAt(end); end < text.length && code !== QUOTE; code = text.charCodeAt(++end)) if (code === NEWLINE) newlines++;
        if (end > i) {
          this.field += text.slice(i, end);
          this.line += newlines;
          i = end - 1;
          continue;
        }
      } else if (!this.quoteSeen && !(this.atFieldStart && text.charCodeAt(i) === QUOTE)) {
        let end = i;
        for (let code = text.charCodeAt(end); end < text.length && code !== COMMA && code !== NEWLINE && code !== RETURN; code = text.charCodeAt(++end));
        if (end > i) {
          this.field += text.slice(i, end);
          this.atFieldStart = false;
          i = end - 1;
          continue;
        }
      }
      const c = text[i];
      if (this.inQuotes) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            this.field += '"';
            i++;
          } else if (i + 1 === text.length) {
            // The quote may be the first half of a doubled quote split across chunks.
            this.quoteSeen = true;
            this.inQuotes = false;
          } else {
            this.inQuotes = false;
          }
        } else {
          if (c === "\n") this.line++;
          this.field += c;
        }
        continue;
      }
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (c === '"') {
          this.field += '"';
          this.inQuotes = true;
          continue;
        }
      }
      if (c === ",") {
        this.record.push(this.field);
        this.field = "";
        this.atFieldStart = true;
      } else if (c === "\n") {
        this.finishRecord(out);
        this.line++;
        this.recordLine = this.line;
      } else if (c === "\r") {
        if (text[i + 1] !== "\n" && i + 1 < text.length) this.field += c;
      } else if (c === '"' && this.atFieldStart) {
        this.inQuotes = true;
        this.atFieldStart = false;
      } else {
        this.field += c;
        this.atFieldStart = false;
      }
    }
    return out;
  }

  /** Ends the input; throws when a quoted field is still open. */
  end(): CsvRecord[] {
    if (this.inQuotes) {
      const where = this.file === undefined ? "CSV" : `CSV "${this.file}"`;
      throw new TrainsetError("PARSE_ERROR", `Cannot read ${where}: line ${this.recordLine} opens a quoted field that never closes`, {
        ...(this.file === undefined ? {} : { file: this.file }),
        line: this.recordLine,
      });
    }
    const out: CsvRecord[] = [];
    if (this.field !== "" || this.record.length > 0) this.finishRecord(out);
    return out;
  }

  private finishRecord(out: CsvRecord[]): void {
    this.record.push(this.field);
    const isBlank = this.record.length === 1 && this.record[0] === "";
    if (!isBlank) out.push({ fields: this.record, line: this.recordLine });
    this.record = [];
    this.field = "";
    this.atFieldStart = true;
  }
}

/**
 * Parses CSV text into records (blank lines skipped).
 * @example parseCsv('a,b\r\n1,"x,y"\r\n')[1].fields // ["1", "x,y"]
 */
export function parseCsv(text: string, file?: string): CsvRecord[] {
  const parser = new CsvParser(file);
  return [...parser.push(text), ...parser.end()];
}

/** Streams a CSV file record by record in constant memory. */
export async function* readCsv(path: string, options: { file?: string } = {}): AsyncGenerator<CsvRecord> {
  const file = options.file ?? path;
  const parser = new CsvParser(file);
  const decoder = new StringDecoder("utf8");
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) yield* parser.push(decoder.write(chunk as Buffer));
  } catch (error) {
    if (error instanceof TrainsetError) throw error;
    throw ioError("read", file, error);
  } finally {
    stream.destroy();
  }
  yield* parser.push(decoder.end());
  yield* parser.end();
}

const NEEDS_QUOTES = /[",\r\n]/;

/** Quotes one field the way Python's csv.writer (QUOTE_MINIMAL) does. */
export function formatCsvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV row with Python's `\r\n` terminator. A lone empty field is quoted, as Python does. */
export function formatCsvRow(values: readonly string[]): string {
  if (values.length === 1 && values[0] === "") return '""\r\n';
  return values.map(formatCsvField).join(",") + "\r\n";
}
