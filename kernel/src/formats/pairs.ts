/**
 * Preference records from historical projects (seed 003): one selection decision per record,
 * the chosen image against the images of its group that were not kept. JSONL (Format 2) or the
 * seed's CSV (Format 1, whose list cells are Python reprs).
 */
import { readFile } from "node:fs/promises";
import { writeLinesAtomic } from "../util/atomic-write.js";
import { formatCsvRow, parseCsv, type CsvRecord } from "../util/csv.js";
import { ioError, TrainsetError } from "../util/errors.js";
import { IssueCollector, type ValidationIssue, type ValidationOptions } from "../util/issues.js";
import { parseJsonl } from "../util/jsonl.js";
import { formatPythonList, tryParsePythonList } from "../historical/python-literal.js";
import { pythonFloatRepr } from "../util/python-repr.js";

/** `metadata` of a record: where it came from (seed 003 Format 2). */
export interface PairsMetadata {
  raw_dir: string;
  final_dir: string;
  /** `YYYY-MM-DD`. */
  extraction_date: string;
}

/** Width and height in pixels. */
export type PixelSize = [number, number];

/**
 * One selection decision. The seed's fields come first; trainset adds the rest (optional when
 * reading files written by other tools). A rejected group (no image kept) has `chosen_path` null.
 */
export interface PairsRecord {
  project: string;
  /** `YYYYMMDD_HHMMSS`, the group. */
  timestamp: string;
  /** The RAW twin of the kept image (relative to `metadata.raw_dir` unless written absolute). */
  chosen_path: string | null;
  chosen_stage: number | null;
  /** The group's images that were not kept, by stage then path. */
  neg_paths: string[];
  neg_stages: number[];
  /** `crop_by_mtime || crop_by_size`. */
  was_cropped: boolean;
  /** RAW subfolder of the group ("" at the root). */
  group_dir?: string;
  /** The kept file in the FINAL folder. */
  final_path?: string | null;
  /** FINAL newer than RAW by more than the threshold (null when unknown or rejected). */
  crop_by_mtime?: boolean | null;
  /** FINAL's pixel size differs from RAW's (null when a header could not be read, or rejected). */
  crop_by_size?: boolean | null;
  chosen_size?: PixelSize | null;
  final_size?: PixelSize | null;
  /** The kept stage is below the group's highest stage. */
  anomaly?: boolean;
  /** More than one image of the group was kept; the others are in `co_chosen_paths`. */
  multi_select?: boolean;
  co_chosen_paths?: string[];
  /** No image of the group was kept ("don't keep any of these"). */
  rejected?: boolean;
  metadata?: PairsMetadata;
}

/** Where records came from. */
export type PairsFileFormat = "jsonl" | "csv";

/** Records read from a file, with the issues found in collect mode. */
export interface PairsReadResult {
  format: PairsFileFormat;
  records: PairsRecord[];
  issues: ValidationIssue[];
}

/** Columns of seed 003 Format 1, in its order; trainset's extra columns follow. */
export const PAIRS_CSV_COLUMNS = ["project", "timestamp", "chosen_path", "chosen_stage", "neg_paths", "neg_stages", "was_cropped"] as const;
const EXTRA_CSV_COLUMNS = ["group_dir", "final_path", "crop_by_mtime", "crop_by_size", "anomaly", "multi_select", "rejected"] as const;
const REQUIRED_CSV_COLUMNS = PAIRS_CSV_COLUMNS.slice(0, 6);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const TIMESTAMP = /^\d{8}_\d{6}$/;

function optionalBool(value: Obj, key: string, issues: IssueCollector, line: number): boolean | null | undefined {
  const v = value[key];
  if (v === undefined || v === null || typeof v === "boolean") return v;
  issues.error("wrong-type", `${key} must be true, false or null, got ${JSON.stringify(v)}`, { line, field: key });
  return undefined;
}

function stringList(value: Obj, key: string, issues: IssueCollector, line: number): string[] | undefined {
  const v = value[key];
  if (!Array.isArray(v) || !v.every((p) => typeof p === "string" && p !== "")) {
    issues.error(v === undefined ? "missing-field" : "wrong-type", `${key} must be a list of non-empty paths`, { line, field: key });
    return undefined;
  }
  return v as string[];
}

function pixelSize(value: Obj, key: string, issues: IssueCollector, line: number): PixelSize | null | undefined {
  const v = value[key];
  if (v === undefined || v === null) return v;
  if (Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n) && (n as number) > 0)) return [v[0] as number, v[1] as number];
  issues.error("wrong-type", `${key} must be [width, height] or null`, { line, field: key });
  return undefined;
}

/**
 * Checks one decoded record and returns it typed, or undefined when it has errors (recorded in
 * `issues`; strict collectors throw). Shared by the JSONL and CSV readers.
 */
export function checkPairsRecord(value: unknown, line: number, issues: IssueCollector): PairsRecord | undefined {
  const before = issues.errorCount;
  if (!isObj(value)) {
    issues.error("not-an-object", "the record is not a JSON object", { line });
    return undefined;
  }
  const { project, timestamp, chosen_path: chosenPath, chosen_stage: chosenStage, neg_stages: negStages } = value;
  if (typeof project !== "string" || project === "") issues.error(project === undefined ? "missing-field" : "wrong-type", "project must be a non-empty string", { line, field: "project" });
  if (typeof timestamp !== "string") issues.error(timestamp === undefined ? "missing-field" : "wrong-type", "timestamp must be a string", { line, field: "timestamp" });
  else if (!TIMESTAMP.test(timestamp)) issues.warn("odd-timestamp", `timestamp "${timestamp}" is not YYYYMMDD_HHMMSS`, { line, field: "timestamp" });
  if (!("chosen_path" in value)) issues.error("missing-field", "chosen_path is missing (use null for a rejected group)", { line, field: "chosen_path" });
  else if (chosenPath !== null && (typeof chosenPath !== "string" || chosenPath === "")) issues.error("wrong-type", "chosen_path must be a path or null", { line, field: "chosen_path" });
  if (chosenStage !== null && (typeof chosenStage !== "number" || !Number.isFinite(chosenStage))) {
    issues.error(chosenStage === undefined ? "missing-field" : "wrong-type", "chosen_stage must be a number or null", { line, field: "chosen_stage" });
  }
  const negPaths = stringList(value, "neg_paths", issues, line);
  if (!Array.isArray(negStages) || !negStages.every((s) => typeof s === "number" && Number.isFinite(s))) {
    issues.error(negStages === undefined ? "missing-field" : "wrong-type", "neg_stages must be a list of numbers", { line, field: "neg_stages" });
  } else if (negPaths !== undefined && negPaths.length !== negStages.length) {
    issues.error("length-mismatch", `neg_paths has ${negPaths.length} entries but neg_stages has ${negStages.length}`, { line, field: "neg_stages" });
  }
  const wasCropped = value.was_cropped;
  if (wasCropped !== undefined && typeof wasCropped !== "boolean") issues.error("wrong-type", "was_cropped must be true or false", { line, field: "was_cropped" });
  const rejected = optionalBool(value, "rejected", issues, line);
  const isRejected = chosenPath === null;
  if (isRejected && rejected === false) issues.error("inconsistent-rejected", "chosen_path is null but rejected is false", { line, field: "rejected" });
  if (!isRejected && rejected === true) issues.error("inconsistent-rejected", "rejected is true but chosen_path is set", { line, field: "chosen_path" });
  if ((chosenPath === null) !== (chosenStage === null) && "chosen_path" in value && chosenStage !== undefined) {
    issues.error("inconsistent-rejected", "chosen_path and chosen_stage must both be set or both be null", { line, field: "chosen_stage" });
  }
  if (typeof chosenPath === "string" && negPaths?.includes(chosenPath) === true) {
    issues.error("chosen-in-negatives", `chosen_path "${chosenPath}" is also in neg_paths`, { line, field: "neg_paths" });
  }
  const extras = {
    crop_by_mtime: optionalBool(value, "crop_by_mtime", issues, line),
    crop_by_size: optionalBool(value, "crop_by_size", issues, line),
    anomaly: optionalBool(value, "anomaly", issues, line),
    multi_select: optionalBool(value, "multi_select", issues, line),
    chosen_size: pixelSize(value, "chosen_size", issues, line),
    final_size: pixelSize(value, "final_size", issues, line),
  };
  const coChosen = value.co_chosen_paths === undefined ? undefined : stringList(value, "co_chosen_paths", issues, line);
  const { group_dir: groupDir, final_path: finalPath, metadata } = value;
  if (groupDir !== undefined && typeof groupDir !== "string") issues.error("wrong-type", "group_dir must be a string", { line, field: "group_dir" });
  if (finalPath !== undefined && finalPath !== null && typeof finalPath !== "string") issues.error("wrong-type", "final_path must be a path or null", { line, field: "final_path" });
  if (metadata !== undefined && (!isObj(metadata) || typeof metadata.raw_dir !== "string" || typeof metadata.final_dir !== "string")) {
    issues.error("wrong-type", "metadata must be an object with raw_dir and final_dir", { line, field: "metadata" });
  }
  if (issues.errorCount > before) return undefined;
  if (!isRejected && negPaths?.length === 0) issues.warn("no-alternatives", "the record has no neg_paths, so it teaches nothing", { line, field: "neg_paths" });

  const record: PairsRecord = {
    project: project as string,
    timestamp: timestamp as string,
    chosen_path: chosenPath as string | null,
    chosen_stage: chosenStage as number | null,
    neg_paths: negPaths ?? [],
    neg_stages: negStages as number[],
    was_cropped: (wasCropped as boolean | undefined) ?? false,
  };
  if (typeof groupDir === "string") record.group_dir = groupDir;
  if (finalPath !== undefined) record.final_path = finalPath as string | null;
  for (const [key, v] of Object.entries(extras)) if (v !== undefined) (record as unknown as Obj)[key] = v;
  if (coChosen !== undefined) record.co_chosen_paths = coChosen;
  if (rejected !== undefined && rejected !== null) record.rejected = rejected;
  if (isObj(metadata)) {
    record.metadata = {
      raw_dir: metadata.raw_dir as string,
      final_dir: metadata.final_dir as string,
      extraction_date: typeof metadata.extraction_date === "string" ? metadata.extraction_date : "",
    };
  }
  return record;
}

function collectorFor(options: ValidationOptions, defaultMode: "strict" | "collect"): IssueCollector {
  return new IssueCollector(options.file, { mode: options.mode ?? defaultMode, ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }) });
}

/** Issues in file order (broken JSON lines are found before records are checked). */
function byLine(issues: IssueCollector): ValidationIssue[] {
  return [...issues.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function checkAll(values: Iterable<{ value: unknown; line: number }>, issues: IssueCollector): PairsRecord[] {
  const records: PairsRecord[] = [];
  const seen = new Map<string, number>();
  for (const { value, line } of values) {
    const record = checkPairsRecord(value, line, issues);
    if (record === undefined) continue;
    const key = `${record.project}\u0000${record.group_dir ?? ""}\u0000${record.timestamp}\u0000${record.chosen_path ?? ""}`;
    const first = seen.get(key);
    if (first !== undefined) issues.warn("duplicate-record", `the same decision is already on line ${first}`, { line });
    else seen.set(key, line);
    records.push(record);
  }
  return records;
}

/**
 * Parses preference records from JSONL text (strict by default: the first error throws).
 * @example parsePairsJsonl(text, { file: "historical.jsonl" }).records.length
 */
export function parsePairsJsonl(text: string, options: ValidationOptions = {}): PairsReadResult {
  const issues = collectorFor(options, "strict");
  const lines = parseJsonl(text, { ...(options.file === undefined ? {} : { file: options.file }), issues });
  return { format: "jsonl", records: checkAll(lines, issues), issues: byLine(issues) };
}

function csvCellBool(text: string): boolean | null | string {
  const t = text.trim();
  if (t === "") return null;
  if (/^(true|1)$/i.test(t)) return true;
  if (/^(false|0)$/i.test(t)) return false;
  return text;
}

function csvRowToObject(header: readonly string[], row: CsvRecord, issues: IssueCollector): Obj | undefined {
  const before = issues.errorCount;
  const cell = (name: string): string | undefined => {
    const i = header.indexOf(name);
    return i === -1 ? undefined : (row.fields[i] ?? "");
  };
  const line = row.line;
  const out: Obj = { project: cell("project"), timestamp: cell("timestamp") };
  const chosen = cell("chosen_path") ?? "";
  out.chosen_path = chosen === "" ? null : chosen;
  const stage = (cell("chosen_stage") ?? "").trim();
  out.chosen_stage = stage === "" ? null : Number.isFinite(Number(stage)) ? Number(stage) : stage;
  for (const key of ["neg_paths", "neg_stages"] as const) {
    const parsed = tryParsePythonList(cell(key) ?? "");
    if (!parsed.ok) issues.error("bad-list", `${key} is not a Python list (${parsed.reason})`, { line, field: key });
    else out[key] = parsed.items;
  }
  for (const key of ["was_cropped", "crop_by_mtime", "crop_by_size", "anomaly", "multi_select", "rejected"]) {
    const text = cell(key);
    if (text === undefined) continue;
    const v = csvCellBool(text);
    if (key === "was_cropped" && v === null) continue;
    out[key] = v;
  }
  const groupDir = cell("group_dir");
  if (groupDir !== undefined) out.group_dir = groupDir;
  const finalPath = cell("final_path");
  if (finalPath !== undefined) out.final_path = finalPath === "" ? null : finalPath;
  return issues.errorCount > before ? undefined : out;
}

/**
 * Parses the seed's CSV (Format 1) with a header row; list cells may be Python reprs or JSON.
 * @example parsePairsCsv("project,timestamp,chosen_path,chosen_stage,neg_paths,neg_stages\r\n…").records
 */
export function parsePairsCsv(text: string, options: ValidationOptions = {}): PairsReadResult {
  const issues = collectorFor(options, "strict");
  let rows: CsvRecord[];
  try {
    rows = parseCsv(text, options.file);
  } catch (error) {
    if (!(error instanceof TrainsetError) || options.mode !== "collect") throw error;
    issues.error("invalid-csv", error.message, error.line === undefined ? {} : { line: error.line });
    return { format: "csv", records: [], issues: issues.issues };
  }
  const [head, ...body] = rows;
  const header = (head?.fields ?? []).map((h) => h.trim());
  const missing = REQUIRED_CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    issues.error("missing-column", `the header lacks ${missing.join(", ")}`, { line: head?.line ?? 1 });
    return { format: "csv", records: [], issues: issues.issues };
  }
  const values: Array<{ value: unknown; line: number }> = [];
  for (const row of body) {
    const value = csvRowToObject(header, row, issues);
    if (value !== undefined) values.push({ value, line: row.line });
  }
  return { format: "csv", records: checkAll(values, issues), issues: byLine(issues) };
}

/** `csv` for `.csv` files and text whose first line is a CSV header with chosen_path; else `jsonl`. */
export function detectPairsFileFormat(path: string, head: string): PairsFileFormat {
  if (/\.csv$/i.test(path)) return "csv";
  if (/\.jsonl?$/i.test(path)) return "jsonl";
  const first = head.replace(/^\ufeff/, "").trimStart();
  return first.startsWith("{") ? "jsonl" : "csv";
}

/**
 * Reads preference records from JSONL or the seed's CSV (chosen by extension, else by content).
 * Strict by default; `mode: "collect"` returns the valid records and every issue.
 * @example const { records } = await readPairs("data/training/historical_mojo1.jsonl");
 */
export async function readPairs(path: string, options: ValidationOptions = {}): Promise<PairsReadResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw ioError("read preference pairs", path, error);
  }
  const opts = { ...options, file: options.file ?? path };
  return detectPairsFileFormat(path, text.slice(0, 4096)) === "csv" ? parsePairsCsv(text, opts) : parsePairsJsonl(text, opts);
}

/**
 * Every issue in a pairs file (collect mode by default): structure, types, lengths, duplicates.
 * @example (await validatePairs("historical.jsonl")).filter((i) => i.severity === "error")
 */
export async function validatePairs(path: string, options: ValidationOptions = {}): Promise<ValidationIssue[]> {
  return (await readPairs(path, { ...options, mode: options.mode ?? "collect" })).issues;
}

/**
 * Writes records as JSONL (Format 2), atomically.
 * @example await writePairsJsonl("historical_mojo1.jsonl", records);
 */
export async function writePairsJsonl(path: string, records: Iterable<PairsRecord>): Promise<void> {
  await writeLinesAtomic(path, (function* () {
    for (const record of records) yield JSON.stringify(record) + "\n";
  })());
}

const csvBool = (v: boolean | null | undefined): string => (v === undefined || v === null ? "" : v ? "true" : "false");

/**
 * Writes records as the seed's CSV (Format 1: Python-repr list cells, `\r\n` rows) followed by
 * trainset's extra columns, atomically.
 * @example await writePairsCsv("historical_mojo1.csv", records);
 */
export async function writePairsCsv(path: string, records: Iterable<PairsRecord>): Promise<void> {
  await writeLinesAtomic(path, (function* () {
    yield formatCsvRow([...PAIRS_CSV_COLUMNS, ...EXTRA_CSV_COLUMNS]);
    for (const r of records) {
      yield formatCsvRow([
        r.project,
        r.timestamp,
        r.chosen_path ?? "",
        r.chosen_stage === null ? "" : pythonFloatRepr(r.chosen_stage),
        formatPythonList(r.neg_paths),
        formatPythonList(r.neg_stages),
        csvBool(r.was_cropped),
        r.group_dir ?? "",
        r.final_path ?? "",
        csvBool(r.crop_by_mtime),
        csvBool(r.crop_by_size),
        csvBool(r.anomaly),
        csvBool(r.multi_select),
        csvBool(r.rejected),
      ]);
    }
  })());
}
