/**
 * qontinui's run-record dataset (seed 002; qontinui-train `export/training_data_exporter.py`):
 * `manifest.jsonl` (one line per exported action, repeats allowed), `images/<id>.png`,
 * `annotations/<id>.json` per image and `metadata.json`. The id is the first 16 hex characters
 * of the SHA-256 of the image bytes (the docs' 8-character ids are out of date).
 *
 * This module holds the on-disk types and the single-file parse / read / write functions; the
 * whole folder is read by `readRunRecordDataset` (run-record-dataset.ts).
 */
import { readFile } from "node:fs/promises";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { ioError, TrainsetError } from "../util/errors.js";
import { IssueCollector, type ValidationOptions } from "../util/issues.js";
import { checkAnnotationFile, checkManifestEntry, checkMetadata, FileIssues, type AnnotationFileCheckOptions } from "./run-record-validate.js";

/** One line of `manifest.jsonl`: one exported action on one (deduplicated) image. */
export interface RunRecordManifestEntry {
  /** 16-hex content id of the image. */
  id: string;
  /** `images/<id>.png`, relative to the dataset folder. */
  image: string;
  /** `annotations/<id>.json`, relative to the dataset folder. */
  annotations: string;
  action_id: string | null;
  /** `CLICK`, `FIND`, `TYPE`… */
  action_type: string | null;
  /** Unix seconds (float) when the action started. */
  timestamp: number | null;
  /** State names active before the action, sorted. */
  active_states: string[];
  /** `runner_execution` for the runner. */
  source: string;
  /** false when the image was already in the dataset (a repeat line). */
  is_new: boolean;
  reviewed: boolean;
  [key: string]: unknown;
}

/** A manifest entry with its 1-based line number in `manifest.jsonl`. */
export interface RunRecordManifestLine {
  entry: RunRecordManifestEntry;
  line: number;
}

/** `[x, y, width, height]` in pixels. */
export type RunRecordBbox = [number, number, number, number];

/** One box in an annotation file. */
export interface RunRecordAnnotation {
  bbox: RunRecordBbox;
  /** From 0, in order of first appearance; `metadata.json`'s `category_map` is the truth. */
  category_id: number;
  category_name: string;
  /** 0..1; 1.0 for clicks. */
  confidence: number;
  /** `template_matching`, `user_click`, `smart_click_analysis`, `user_click_fallback`… */
  source: string;
  verified: boolean;
  /** Newer qontinui versions: how a click box was inferred. */
  inference_metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The action that last wrote an annotation file. */
export interface RunRecordContext {
  action_type: string | null;
  active_states: string[];
  timestamp: number | null;
  success: boolean | null;
  [key: string]: unknown;
}

/** `annotations/<id>.json`: the boxes of one image. */
export interface RunRecordAnnotationFile {
  image_id: string;
  /** `<id>.png`. */
  image_filename: string;
  image_width: number;
  image_height: number;
  annotations: RunRecordAnnotation[];
  context: RunRecordContext;
  /** The dataset version that wrote the file, e.g. `1.0.0`. */
  version: string;
  [key: string]: unknown;
}

/** One entry of `metadata.json`'s `categories`. */
export interface RunRecordCategory {
  id: number;
  name: string;
  [key: string]: unknown;
}

/** `metadata.json`'s `statistics` (of the last export call in qontinui; cumulative in trainset). */
export interface RunRecordStatistics {
  total_records_processed: number;
  records_with_screenshots: number;
  records_with_matches: number;
  records_with_clicks: number;
  skipped_records: number;
  export_time_seconds: number;
  [key: string]: unknown;
}

/** `metadata.json`: dataset-level facts and the category numbering. */
export interface RunRecordMetadata {
  dataset_version: string;
  /** ISO 8601. */
  created: string;
  total_images: number;
  total_annotations: number;
  /** Category name → id. */
  category_map: Record<string, number>;
  categories: RunRecordCategory[];
  statistics: RunRecordStatistics;
  /** `intermediate`. */
  format: string;
  description: string;
  [key: string]: unknown;
}

/** Options for the single-file parse and read functions. */
export interface RunRecordParseOptions extends ValidationOptions {
  /** Where issues go; without one the first error throws (strict). */
  issues?: IssueCollector;
}

function collector(options: RunRecordParseOptions): IssueCollector {
  return (
    options.issues ??
    new IssueCollector(options.file, {
      mode: options.mode ?? "strict",
      ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }),
    })
  );
}

function parseJson(text: string, what: string, file: string | undefined, line?: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const where = file === undefined ? what : `${what} "${file}"`;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TrainsetError("PARSE_ERROR", `Cannot read ${where}${line === undefined ? "" : ` line ${line}`}: not valid JSON (${reason})`, {
      ...(file === undefined ? {} : { file }),
      ...(line === undefined ? {} : { line }),
      cause: error,
    });
  }
}

function unusable(what: string, file: string | undefined, issues: IssueCollector): TrainsetError {
  const where = file === undefined ? what : `${what} "${file}"`;
  const first = issues.issues.find((i) => i.severity === "error");
  return new TrainsetError("VALIDATION_ERROR", `Cannot read ${where}: ${first?.message ?? "it has the wrong shape"}`, {
    ...(file === undefined ? {} : { file }),
    ...(first?.field === undefined ? {} : { field: first.field }),
  });
}

/**
 * Parses one `manifest.jsonl` line (pure); strict by default.
 * @example
 * parseRunRecordManifestLine('{"id": "3f1c9a0b7d2e4c51", "image": "images/3f1c9a0b7d2e4c51.png", ...}', { line: 3 });
 */
export function parseRunRecordManifestLine(text: string, options: RunRecordParseOptions & { line?: number } = {}): RunRecordManifestEntry {
  const value = parseJson(text, "manifest", options.file, options.line);
  const issues = collector(options);
  const entry = checkManifestEntry(value, new FileIssues(issues, undefined), options.line);
  if (entry === undefined) throw unusable("manifest", options.file, issues);
  return entry;
}

/** The text of one manifest line, newline included (for appenders). */
export function formatRunRecordManifestLine(entry: RunRecordManifestEntry): string {
  return JSON.stringify(entry) + "\n";
}

/**
 * Parses an `annotations/<id>.json` file (pure); strict by default.
 * @example
 * const file = parseRunRecordAnnotationFile(text, { file: "annotations/3f1c9a0b7d2e4c51.json" });
 */
export function parseRunRecordAnnotationFile(
  text: string,
  options: RunRecordParseOptions & AnnotationFileCheckOptions = {},
): RunRecordAnnotationFile {
  const value = parseJson(text, "annotation file", options.file);
  const issues = collector(options);
  const parsed = checkAnnotationFile(value, new FileIssues(issues, undefined), options);
  if (parsed === undefined) throw unusable("annotation file", options.file, issues);
  return parsed;
}

/**
 * Reads an `annotations/<id>.json` file.
 * @example
 * const file = await readRunRecordAnnotationFile("dataset/annotations/3f1c9a0b7d2e4c51.json");
 */
export async function readRunRecordAnnotationFile(
  path: string,
  options: RunRecordParseOptions & AnnotationFileCheckOptions = {},
): Promise<RunRecordAnnotationFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw ioError("read annotation file", options.file ?? path, error);
  }
  return parseRunRecordAnnotationFile(text, { ...options, file: options.file ?? path });
}

/**
 * Parses `metadata.json` (pure); strict by default.
 * @example
 * parseRunRecordMetadata(text).category_map; // { login_button: 0, ... }
 */
export function parseRunRecordMetadata(text: string, options: RunRecordParseOptions = {}): RunRecordMetadata {
  const value = parseJson(text, "metadata", options.file);
  const issues = collector(options);
  const parsed = checkMetadata(value, new FileIssues(issues, undefined));
  if (parsed === undefined) throw unusable("metadata", options.file, issues);
  return parsed;
}

/**
 * Reads `metadata.json`.
 * @example
 * const meta = await readRunRecordMetadata("dataset/metadata.json");
 */
export async function readRunRecordMetadata(path: string, options: RunRecordParseOptions = {}): Promise<RunRecordMetadata> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw ioError("read metadata", options.file ?? path, error);
  }
  return parseRunRecordMetadata(text, { ...options, file: options.file ?? path });
}

/**
 * Writes an annotation file atomically (2-space JSON like qontinui), after checking it strictly.
 * @example
 * await writeRunRecordAnnotationFile("dataset/annotations/3f1c9a0b7d2e4c51.json", file);
 */
export async function writeRunRecordAnnotationFile(path: string, value: RunRecordAnnotationFile): Promise<void> {
  checkAnnotationFile(value, new FileIssues(new IssueCollector(path, { mode: "strict" }), undefined), {});
  await writeJsonAtomic(path, value);
}

/**
 * Writes `metadata.json` atomically, after checking it strictly.
 * @example
 * await writeRunRecordMetadata("dataset/metadata.json", meta);
 */
export async function writeRunRecordMetadata(path: string, value: RunRecordMetadata): Promise<void> {
  checkMetadata(value, new FileIssues(new IssueCollector(path, { mode: "strict" }), undefined));
  await writeJsonAtomic(path, value);
}
