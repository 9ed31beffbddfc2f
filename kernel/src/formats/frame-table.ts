/**
 * The frame-annotation table that endoreg-db / lx-annotate export (seed 000): one row per
 * frame-label annotation, 17 fields in a fixed order, as CSV (Python csv module: comma, `\r\n`,
 * `True`/`False`, null as an empty cell) or JSON (a list of row objects).
 */
import { readFile } from "node:fs/promises";
import { extname, isAbsolute } from "node:path";
import { writeFileAtomic, writeLinesAtomic } from "../util/atomic-write.js";
import { formatCsvRow, parseCsv, type CsvRecord } from "../util/csv.js";
import { describeValue } from "../util/describe-value.js";
import { ioError, TrainsetError } from "../util/errors.js";
import { IssueCollector, type ValidationIssue, type ValidationOptions } from "../util/issues.js";
import { parsePythonBool, pythonBool, pythonFloatRepr } from "../util/python-repr.js";

/** The 17 columns, in the order endoreg-db writes them. */
export const FRAME_TABLE_FIELDS = [
  "annotation_id",
  "video_id",
  "video_hash",
  "frame_id",
  "frame_number",
  "frame_relative_path",
  "frame_timestamp",
  "label_id",
  "label_name",
  "value",
  "float_value",
  "annotator",
  "information_source_id",
  "information_source_name",
  "model_meta_id",
  "date_created",
  "date_modified",
] as const;

/** One column name of the frame-annotation table. */
export type FrameTableField = (typeof FRAME_TABLE_FIELDS)[number];

/** One frame-label annotation row, with the field names used on disk. */
export interface FrameAnnotationRow {
  annotation_id: number;
  video_id: number;
  video_hash: string;
  frame_id: number;
  frame_number: number;
  /** Relative to the export's `frames/` folder, e.g. `video_12/frame_0000042.jpg` or `frame_<id>.jpg`. */
  frame_relative_path: string;
  /** Seconds from the video start, when known. */
  frame_timestamp: number | null;
  label_id: number;
  label_name: string;
  value: boolean;
  float_value: number | null;
  annotator: string | null;
  information_source_id: number | null;
  information_source_name: string | null;
  model_meta_id: number | null;
  /** ISO 8601. */
  date_created: string;
  /** ISO 8601. */
  date_modified: string;
}

/** On-disk encodings of the table. */
export type FrameTableFormat = "csv" | "json";

/** A table read from disk, with what validation found. */
export interface FrameTable {
  format: FrameTableFormat;
  rows: FrameAnnotationRow[];
  issues: ValidationIssue[];
}

type Kind = "int" | "int?" | "float?" | "string" | "string?" | "bool" | "date";

const KINDS: Record<FrameTableField, Kind> = {
  annotation_id: "int",
  video_id: "int",
  video_hash: "string",
  frame_id: "int",
  frame_number: "int",
  frame_relative_path: "string",
  frame_timestamp: "float?",
  label_id: "int",
  label_name: "string",
  value: "bool",
  float_value: "float?",
  annotator: "string?",
  information_source_id: "int?",
  information_source_name: "string?",
  model_meta_id: "int?",
  date_created: "date",
  date_modified: "date",
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Converts one cell (CSV text or JSON value) to its typed value, or reports why it cannot. */
function coerce(kind: Kind, raw: unknown, fromCsv: boolean): { ok: true; value: unknown } | { ok: false; expected: string } {
  const empty = raw === null || raw === undefined || (fromCsv && raw === "");
  const nullable = kind.endsWith("?");
  if (empty) return nullable ? { ok: true, value: null } : { ok: false, expected: "a value (it is empty)" };
  switch (kind) {
    case "int":
    case "int?": {
      const n = typeof raw === "string" && fromCsv && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      return typeof n === "number" && Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, expected: "a whole number" };
    }
    case "float?": {
      const n = typeof raw === "string" && fromCsv && raw.trim() !== "" ? Number(raw) : raw;
      return typeof n === "number" && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, expected: "a finite number" };
    }
    case "bool": {
      const b = typeof raw === "string" && fromCsv ? parsePythonBool(raw) : raw;
      return typeof b === "boolean" ? { ok: true, value: b } : { ok: false, expected: "True or False" };
    }
    case "string":
    case "string?":
      return typeof raw === "string" ? { ok: true, value: raw } : { ok: false, expected: "a string" };
    case "date":
      return typeof raw === "string" && ISO_DATE.test(raw) ? { ok: true, value: raw } : { ok: false, expected: "an ISO 8601 date" };
  }
}

interface RowSource {
  get(field: FrameTableField): unknown;
  line?: number;
  /** `[3]` for JSON, empty for CSV (CSV has lines). */
  prefix: string;
}

function buildRow(source: RowSource, fromCsv: boolean, issues: IssueCollector): FrameAnnotationRow | undefined {
  const row: Partial<Record<FrameTableField, unknown>> = {};
  let ok = true;
  for (const field of FRAME_TABLE_FIELDS) {
    const raw = source.get(field);
    const result = coerce(KINDS[field], raw, fromCsv);
    if (result.ok) row[field] = result.value;
    else {
      ok = false;
      issues.error("bad-field", `${field} must be ${result.expected}, got ${describeValue(raw)}`, {
        ...(source.line === undefined ? {} : { line: source.line }),
        field: `${source.prefix}${source.prefix === "" ? "" : "."}${field}`,
      });
    }
  }
  return ok ? (row as unknown as FrameAnnotationRow) : undefined;
}

/** Checks across rows and semantic rules that a single cell cannot show. */
function checkRows(rows: readonly FrameAnnotationRow[], lines: readonly (number | undefined)[], jsonIndex: boolean, issues: IssueCollector): void {
  const seenIds = new Map<number, number>();
  const seenKeys = new Map<string, number>();
  const where = (i: number, field: string): { line?: number; field: string } => {
    const line = lines[i];
    return { ...(line === undefined ? {} : { line }), field: jsonIndex ? `[${i}].${field}` : field };
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as FrameAnnotationRow;
    const label = jsonIndex ? `row ${i}` : `annotation ${row.annotation_id}`;
    const previous = seenIds.get(row.annotation_id);
    if (previous !== undefined) issues.error("duplicate-annotation-id", `annotation_id ${row.annotation_id} appears twice (also in row ${previous + 1})`, where(i, "annotation_id"));
    else seenIds.set(row.annotation_id, i);
    if (row.frame_number < 0) issues.error("negative-frame-number", `${label} has frame_number ${row.frame_number}, which is negative`, where(i, "frame_number"));
    const path = row.frame_relative_path;
    if (path === "" || isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path) || path.split(/[\\/]/).includes("..")) {
      issues.error("unsafe-path", `${label} has frame_relative_path "${path}", which must be a relative path inside frames/ (no "..", not absolute)`, where(i, "frame_relative_path"));
    }
    if (row.information_source_id === null && row.information_source_name === null) {
      issues.error("missing-information-source", `${label} has no information source; endoreg-db refuses to export such a row`, where(i, "information_source_id"));
    }
    if (row.float_value !== null && (row.float_value < 0 || row.float_value > 1)) {
      issues.warn("float-value-range", `${label} has float_value ${row.float_value}, outside 0..1`, where(i, "float_value"));
    }
    const key = `${row.frame_id}\u0000${row.label_id}\u0000${row.information_source_id ?? ""}\u0000${row.annotator ?? ""}`;
    const dup = seenKeys.get(key);
    if (dup !== undefined) {
      issues.warn("duplicate-frame-label", `${label} repeats frame ${row.frame_id} / label ${row.label_name} from the same source and annotator (row ${dup + 1}); endoreg-db's unique key forbids that`, where(i, "label_id"));
    } else seenKeys.set(key, i);
  }
}

/**
 * Parses a CSV frame-annotation table (header row first). Pure.
 * @example parseFrameTableCsv(text, { file: "annotations.csv" }).rows.length
 */
export function parseFrameTableCsv(text: string, options: ValidationOptions = {}): FrameTable {
  const issues = new IssueCollector(options.file, { mode: options.mode ?? "collect", ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }) });
  const records = parseCsv(text, options.file);
  return fromCsvRecords(records, issues);
}

function fromCsvRecords(records: readonly CsvRecord[], issues: IssueCollector): FrameTable {
  const rows: FrameAnnotationRow[] = [];
  const lines: number[] = [];
  const header = records[0];
  if (header === undefined) {
    issues.error("empty-table", "the table is empty (no header row)", { line: 1 });
    return { format: "csv", rows, issues: issues.issues };
  }
  const columns = new Map<string, number>();
  header.fields.forEach((name, i) => columns.set(name.trim(), i));
  const missing = FRAME_TABLE_FIELDS.filter((f) => !columns.has(f));
  if (missing.length > 0) {
    issues.error("missing-columns", `the header lacks ${missing.join(", ")} (expected the 17 endoreg-db columns)`, { line: header.line, field: missing[0] as string });
    return { format: "csv", rows, issues: issues.issues };
  }
  const extra = header.fields.filter((f) => !(FRAME_TABLE_FIELDS as readonly string[]).includes(f.trim()));
  if (extra.length > 0) issues.warn("extra-columns", `the header has columns trainset does not know: ${extra.join(", ")} (kept out of the typed rows)`, { line: header.line });
  if (FRAME_TABLE_FIELDS.some((f, i) => header.fields[i]?.trim() !== f)) {
    issues.warn("column-order", "the columns are not in endoreg-db's order; they are read by name", { line: header.line });
  }
  for (let r = 1; r < records.length; r++) {
    const record = records[r] as CsvRecord;
    if (record.fields.length !== header.fields.length) {
      issues.error("column-count", `row has ${record.fields.length} cells, the header has ${header.fields.length}`, { line: record.line });
      continue;
    }
    const row = buildRow({ get: (f) => record.fields[columns.get(f) as number], line: record.line, prefix: "" }, true, issues);
    if (row !== undefined) {
      rows.push(row);
      lines.push(record.line);
    }
  }
  if (rows.length === 0 && issues.errorCount === 0) issues.warn("no-rows", "the table has a header but no annotation rows");
  checkRows(rows, lines, false, issues);
  return { format: "csv", rows, issues: issues.issues };
}

/**
 * Parses a JSON frame-annotation table (a list of row objects). Pure.
 * @example parseFrameTableJson('[]').rows // []
 */
export function parseFrameTableJson(text: string, options: ValidationOptions = {}): FrameTable {
  const issues = new IssueCollector(options.file, { mode: options.mode ?? "collect", ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }) });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const where = options.file === undefined ? "frame table" : `frame table "${options.file}"`;
    throw new TrainsetError("PARSE_ERROR", `Cannot read ${where}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, options.file === undefined ? {} : { file: options.file });
  }
  const rows: FrameAnnotationRow[] = [];
  if (!Array.isArray(data)) {
    issues.error("not-a-list", "a JSON frame table must be a list of row objects");
    return { format: "json", rows, issues: issues.issues };
  }
  for (let i = 0; i < data.length; i++) {
    const item: unknown = data[i];
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      issues.error("not-an-object", `row ${i} is ${describeValue(item)}, not an object`, { field: `[${i}]` });
      continue;
    }
    const obj = item as Record<string, unknown>;
    const missing = FRAME_TABLE_FIELDS.filter((f) => !(f in obj));
    if (missing.length > 0) {
      issues.error("missing-field", `row ${i} lacks ${missing.join(", ")}`, { field: `[${i}].${missing[0] as string}` });
      continue;
    }
    const row = buildRow({ get: (f) => obj[f], prefix: `[${i}]` }, false, issues);
    if (row !== undefined) rows.push(row);
  }
  checkRows(rows, [], true, issues);
  return { format: "json", rows, issues: issues.issues };
}

/** The format a path's extension implies. */
export function frameTableFormatOf(path: string): FrameTableFormat {
  return extname(path).toLowerCase() === ".json" ? "json" : "csv";
}

/**
 * Reads a frame-annotation table; strict by default (first error throws).
 * @example const { rows } = await readFrameTable("export/annotations.csv");
 */
export async function readFrameTable(path: string, options: ValidationOptions & { format?: FrameTableFormat } = {}): Promise<FrameTable> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw ioError("read frame table", path, error);
  }
  const format = options.format ?? frameTableFormatOf(path);
  const opts: ValidationOptions = { mode: options.mode ?? "strict", file: options.file ?? path, ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }) };
  return format === "json" ? parseFrameTableJson(text, opts) : parseFrameTableCsv(text, opts);
}

/** Validates a table file and returns every issue (collect mode). */
export async function validateFrameTable(path: string, options: Omit<ValidationOptions, "mode"> = {}): Promise<ValidationIssue[]> {
  return (await readFrameTable(path, { ...options, mode: "collect" })).issues;
}

function cell(field: FrameTableField, value: unknown): string {
  if (value === null || value === undefined) return "";
  switch (KINDS[field]) {
    case "bool":
      return pythonBool(value as boolean);
    case "float?":
      return pythonFloatRepr(value as number);
    default:
      return String(value as string | number);
  }
}

/** One CSV line for a row, exactly as endoreg-db's exporter writes it. */
export function formatFrameTableCsvRow(row: FrameAnnotationRow): string {
  return formatCsvRow(FRAME_TABLE_FIELDS.map((f) => cell(f, row[f])));
}

/**
 * Writes rows atomically as CSV (header + `\r\n` rows) or JSON (a list, 2-space indent).
 * @example await writeFrameTable("out/annotations.csv", rows);
 */
export async function writeFrameTable(path: string, rows: readonly FrameAnnotationRow[], options: { format?: FrameTableFormat } = {}): Promise<void> {
  const format = options.format ?? frameTableFormatOf(path);
  if (format === "json") {
    const ordered = rows.map((row) => Object.fromEntries(FRAME_TABLE_FIELDS.map((f) => [f, row[f]])));
    await writeFileAtomic(path, JSON.stringify(ordered, null, 2) + "\n");
    return;
  }
  await writeLinesAtomic(path, (function* () {
    yield formatCsvRow([...FRAME_TABLE_FIELDS]);
    for (const row of rows) yield formatFrameTableCsvRow(row);
  })());
}

/** endoreg-db's row order: video id, frame number, label id, annotation id. */
export function sortFrameTableRows(rows: FrameAnnotationRow[]): FrameAnnotationRow[] {
  return rows.sort((a, b) => a.video_id - b.video_id || a.frame_number - b.frame_number || a.label_id - b.label_id || a.annotation_id - b.annotation_id);
}
