/**
 * lx-ai's legacy multilabel JSONL (seed 001): one image per line,
 * `{"labels": ["polyp", "blood"], "old_examination_id": 25, "old_id": 479228, "filename": "479228.jpg"}`.
 * `labels: null` means "not annotated" (masked as unknown unless treated as negative). Real files
 * repeat an `old_id` on several lines, sometimes with different labels: reported, not refused.
 */
import { isAbsolute } from "node:path";
import { openJsonlAppender } from "../util/jsonl.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { describeValue } from "../util/describe-value.js";
import { IssueCollector, type ValidationIssue, type ValidationOptions } from "../util/issues.js";
import { parseJsonl, readJsonl, type JsonlLine } from "../util/jsonl.js";

/** One line of a legacy lx-ai JSONL file. Unknown keys are kept. */
export interface LegacyRecord {
  /** Label names; `null` = not annotated (unknown). */
  labels: string[] | null;
  /** The examination the image belongs to: the split group. `null` when unknown. */
  old_examination_id: number | string | null;
  old_id: number | string;
  /** Image file name, relative to the image folder. */
  filename: string;
  [key: string]: unknown;
}

/** A record with the line it came from. */
export interface LegacyRecordLine {
  record: LegacyRecord;
  line: number;
}

/** A legacy file read from disk, with what validation found. */
export interface LegacyJsonlFile {
  records: LegacyRecordLine[];
  issues: ValidationIssue[];
}

/** lx-ai's JSONL mode trains these 9 labels, in this order. */
export const LX_AI_JSONL_LABELS = [
  "appendix",
  "blood",
  "ileocaecalvalve",
  "ileum",
  "low_quality",
  "outside",
  "polyp",
  "water_jet",
  "wound",
] as const;

/** Checks one parsed line; returns the typed record or undefined when it is unusable. */
function checkRecord(value: unknown, line: number, issues: IssueCollector): LegacyRecord | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    issues.error("not-an-object", `line ${line} is ${describeValue(value)}, not an object`, { line });
    return undefined;
  }
  const obj = value as Record<string, unknown>;
  let ok = true;
  const labels = obj["labels"];
  if (!(labels === null || (Array.isArray(labels) && labels.every((l) => typeof l === "string" && l.trim() !== "")))) {
    issues.error("bad-labels", `labels must be a list of label names or null, got ${describeValue(labels)}`, { line, field: "labels" });
    ok = false;
  } else if (Array.isArray(labels) && new Set(labels).size !== labels.length) {
    issues.warn("repeated-label", `labels lists the same name twice`, { line, field: "labels" });
  }
  const oldId = obj["old_id"];
  if (!((typeof oldId === "number" && Number.isSafeInteger(oldId)) || (typeof oldId === "string" && oldId !== ""))) {
    issues.error("bad-old-id", `old_id must be a whole number or a non-empty string, got ${describeValue(oldId)}`, { line, field: "old_id" });
    ok = false;
  }
  const exam = obj["old_examination_id"];
  if (exam === undefined || exam === null) {
    issues.warn("no-examination", `old_examination_id is ${describeValue(exam)}; the image becomes its own split group (no_exam_${String(oldId)})`, { line, field: "old_examination_id" });
  } else if (!((typeof exam === "number" && Number.isSafeInteger(exam)) || (typeof exam === "string" && exam !== ""))) {
    issues.error("bad-examination", `old_examination_id must be a whole number, a string or null, got ${describeValue(exam)}`, { line, field: "old_examination_id" });
    ok = false;
  }
  const filename = obj["filename"];
  if (typeof filename !== "string" || filename === "") {
    issues.error("bad-filename", `filename must be a non-empty string, got ${describeValue(filename)}`, { line, field: "filename" });
    ok = false;
  } else if (isAbsolute(filename) || filename.split(/[\\/]/).includes("..")) {
    issues.error("unsafe-path", `filename "${filename}" must stay inside the image folder (relative, no "..")`, { line, field: "filename" });
    ok = false;
  }
  if (!ok) return undefined;
  return { ...obj, labels: labels as string[] | null, old_examination_id: (exam ?? null) as number | string | null, old_id: oldId as number | string, filename: filename as string };
}

/** Cross-line checks: the same old_id on several lines, with or without different labels. */
class DuplicateTracker {
  private readonly seen = new Map<string, { line: number; labels: string }>();
  constructor(private readonly issues: IssueCollector) {}
  check(record: LegacyRecord, line: number): void {
    const key = String(record.old_id);
    const labels = record.labels === null ? "null" : [...record.labels].sort().join("\u0000");
    const first = this.seen.get(key);
    if (first === undefined) {
      this.seen.set(key, { line, labels });
      return;
    }
    if (first.labels === labels) {
      this.issues.warn("duplicate-old-id", `old_id ${key} repeats line ${first.line} with the same labels`, { line, field: "old_id" });
    } else {
      this.issues.warn("conflicting-duplicate", `old_id ${key} appears on line ${first.line} with different labels`, { line, field: "labels" });
    }
  }
}

function collector(options: ValidationOptions, defaultMode: "strict" | "collect"): IssueCollector {
  return new IssueCollector(options.file, { mode: options.mode ?? defaultMode, ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }) });
}

/**
 * Parses legacy JSONL text. Pure; collect mode by default.
 * @example parseLegacyJsonl('{"labels":["polyp"],"old_examination_id":25,"old_id":1,"filename":"1.jpg"}\n').records.length // 1
 */
export function parseLegacyJsonl(text: string, options: ValidationOptions = {}): LegacyJsonlFile {
  const issues = collector(options, "collect");
  const duplicates = new DuplicateTracker(issues);
  const records: LegacyRecordLine[] = [];
  for (const { value, line } of parseJsonl(text, { ...(options.file === undefined ? {} : { file: options.file }), issues })) {
    const record = checkRecord(value, line, issues);
    if (record === undefined) continue;
    duplicates.check(record, line);
    records.push({ record, line });
  }
  return { records, issues: issues.issues };
}

/**
 * Streams a legacy JSONL file; strict by default (the first error throws with file and line).
 * @example const { records } = await readLegacyJsonl("legacy_img_dicts.jsonl", { mode: "collect" });
 */
export async function readLegacyJsonl(path: string, options: ValidationOptions = {}): Promise<LegacyJsonlFile> {
  const file = options.file ?? path;
  const issues = collector({ ...options, file }, "strict");
  const duplicates = new DuplicateTracker(issues);
  const records: LegacyRecordLine[] = [];
  for await (const { value, line } of readJsonl(path, { file, issues })) {
    const record = checkRecord(value, line, issues);
    if (record === undefined) continue;
    duplicates.check(record, line);
    records.push({ record, line });
  }
  return { records, issues: issues.issues };
}

/** Validates a legacy file and returns every issue. */
export async function validateLegacyJsonl(path: string, options: Omit<ValidationOptions, "mode"> = {}): Promise<ValidationIssue[]> {
  return (await readLegacyJsonl(path, { ...options, mode: "collect" })).issues;
}

/** Writes records as legacy JSONL, atomically (key order: labels, old_examination_id, old_id, filename, then the rest). */
export async function writeLegacyJsonl(path: string, records: readonly LegacyRecord[]): Promise<void> {
  const lines = records.map((r) => {
    const { labels, old_examination_id, old_id, filename, ...rest } = r;
    return JSON.stringify({ labels, old_examination_id, old_id, filename, ...rest });
  });
  await writeFileAtomic(path, lines.length === 0 ? "" : lines.join("\n") + "\n");
}

/** Appends records to an existing legacy file (crash-safe, repairs a torn tail first). */
export async function appendLegacyJsonl(path: string, records: readonly LegacyRecord[]): Promise<void> {
  const out = await openJsonlAppender(path);
  try {
    await out.append(records);
  } finally {
    await out.close();
  }
}

/** The split group lx-ai uses for a record: `old_examination_id`, else `no_exam_<old_id>`. */
export function legacyGroupOf(record: LegacyRecord): string {
  return record.old_examination_id === null ? `no_exam_${String(record.old_id)}` : String(record.old_examination_id);
}

/** Type guard for the lines that `readJsonl` yields, for callers that stream themselves. */
export function isLegacyLine(item: JsonlLine): boolean {
  const v = item.value as Record<string, unknown> | null;
  return typeof v === "object" && v !== null && "old_id" in v && "filename" in v;
}
