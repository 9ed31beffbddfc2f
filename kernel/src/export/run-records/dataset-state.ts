/**
 * The in-memory state of a run-record dataset folder, loaded once per open: its metadata, the open
 * manifest appender and the totals derived from the manifest lines.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ioError } from "../../util/errors.js";
import { openJsonlAppender, readJsonl, type JsonlAppender } from "../../util/jsonl.js";
import {
  readRunRecordAnnotationFile,
  readRunRecordMetadata,
  type RunRecordManifestEntry,
  type RunRecordMetadata,
} from "../../formats/run-record.js";
import { fileExists, removeStaleTemps } from "./dataset-files.js";
import { freshMetadata } from "./dataset-metadata.js";

/** A dataset folder as loaded and exported so far. */
export interface DatasetState {
  /** The dataset folder. */
  dir: string;
  metadata: RunRecordMetadata;
  appender: JsonlAppender;
  ids: Set<string>;
  annotationCounts: Map<string, number>;
  /** Sum of annotationCounts, kept as it changes so metadata writes stay O(1). */
  totalAnnotations: number;
  keys: Set<string>;
  lines: number;
  withMatches: number;
  withClicks: number;
}

/** Options for {@link openDatasetState}. */
export interface OpenDatasetStateOptions {
  /** `dataset_version` of the metadata when the folder has none yet. */
  version: string;
}

/**
 * Creates the folder when missing, removes stale temp files, repairs a torn manifest line, and
 * loads metadata and manifest totals; the returned state holds the manifest open for appends.
 */
export async function openDatasetState(dir: string, options: OpenDatasetStateOptions): Promise<DatasetState> {
  try {
    await mkdir(join(dir, "images"), { recursive: true });
    await mkdir(join(dir, "annotations"), { recursive: true });
  } catch (error) {
    throw ioError("create dataset folder", dir, error);
  }
  await removeStaleTemps(dir);
  const metaPath = join(dir, "metadata.json");
  const metadata = (await fileExists(metaPath)) ? await readRunRecordMetadata(metaPath) : freshMetadata(options.version);
  const manifestPath = join(dir, "manifest.jsonl");
  // Opening the appender first repairs a line torn by a kill, so the read below sees whole lines.
  const appender = await openJsonlAppender(manifestPath);
  const state: DatasetState = { dir, metadata, appender, ids: new Set(), annotationCounts: new Map(), totalAnnotations: 0, keys: new Set(), lines: 0, withMatches: 0, withClicks: 0 };
  for await (const { value, line } of readJsonl(manifestPath)) {
    if (typeof value !== "object" || value === null) continue;
    const entry = value as Partial<RunRecordManifestEntry>;
    if (typeof entry.id !== "string") throw ioError("read manifest", `${manifestPath}:${line}`, new Error("the line has no string id"));
    state.lines++;
    state.ids.add(entry.id);
    if (typeof entry.record_key === "string") state.keys.add(entry.record_key);
    if (typeof entry.annotation_count === "number") state.annotationCounts.set(entry.id, entry.annotation_count);
    if (entry.has_match === true) state.withMatches++;
    if (entry.has_click === true) state.withClicks++;
  }
  // Lines written by qontinui itself carry no counts: read those images' annotation files once.
  for (const id of state.ids) {
    if (state.annotationCounts.has(id)) continue;
    const path = join(dir, "annotations", `${id}.json`);
    state.annotationCounts.set(id, (await fileExists(path)) ? (await readRunRecordAnnotationFile(path)).annotations.length : 0);
  }
  for (const count of state.annotationCounts.values()) state.totalAnnotations += count;
  return state;
}

/** What one manifest line just appended by an export says about its record. */
export interface ExportedLine {
  /** The image's content id. */
  id: string;
  /** The record's `record_key`. */
  key: string;
  /** Boxes in the image's annotation file after this record merged into it. */
  annotationCount: number;
  hasMatch: boolean;
  hasClick: boolean;
}

/** Counts a manifest line just appended by an export into the state's ids, keys and totals. */
export function addExportedLine(state: DatasetState, line: ExportedLine): void {
  state.lines++;
  state.ids.add(line.id);
  state.keys.add(line.key);
  state.totalAnnotations += line.annotationCount - (state.annotationCounts.get(line.id) ?? 0);
  state.annotationCounts.set(line.id, line.annotationCount);
  if (line.hasMatch) state.withMatches++;
  if (line.hasClick) state.withClicks++;
}
