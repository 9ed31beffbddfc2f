/**
 * `TrainingDataExporter` (seed 002; qontinui-train `export/training_data_exporter.py`): turns run
 * records into a run-record dataset folder that grows across sessions.
 *
 * Crash safety: per record the image is written first (temp + rename), then the annotation file
 * (atomic), then the manifest line is appended last (one write). A record is "already exported"
 * when a manifest line carries its `record_key` (see recordKey), so a rerun after an abort or a
 * kill skips what was done and finishes the rest without duplicates. New categories are written
 * to metadata.json before any annotation file uses them, so ids stay stable even after a kill.
 * Totals are derived from the manifest (lines, flags, annotation counts), hence cumulative and
 * exact after a rerun; only `skipped_records` is a counter (a skipped record offered again is
 * counted again).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { ioError, systemErrorCode } from "../../util/errors.js";
import { contentId16 } from "../../util/hashing.js";
import { openJsonlAppender, readJsonl, type JsonlAppender } from "../../util/jsonl.js";
import { throttleProgress, throwIfAborted, type RunControl } from "../../util/run-control.js";
import { writeCoco, type CocoDataset } from "../../formats/coco.js";
import { runRecordToCoco } from "../../formats/convert.js";
import { readRunRecordDataset } from "../../formats/run-record-dataset.js";
import { pngSize, type ImageSize } from "../../formats/run-record-image-size.js";
import {
  readRunRecordAnnotationFile,
  readRunRecordMetadata,
  writeRunRecordAnnotationFile,
  writeRunRecordMetadata,
  type RunRecordAnnotation,
  type RunRecordAnnotationFile,
  type RunRecordManifestEntry,
  type RunRecordMetadata,
} from "../../formats/run-record.js";
import type { ActionExecutionRecord } from "./action-record.js";
import { hasMatch, recordBoxes, recordKey } from "./record-boxes.js";

/** Which records an export takes. */
export interface ExportFilterOptions {
  /** Only records with `success: true` (default false). */
  successfulOnly?: boolean;
  /** Only records with a found template match (default false). */
  withMatchesOnly?: boolean;
  /** A custom predicate; records for which it returns false are skipped. */
  filter?: (record: ActionExecutionRecord) => boolean;
}

/** Options for {@link TrainingDataExporter.exportRecords}. */
export interface ExportRecordsOptions extends ExportFilterOptions, RunControl {
  /** The run folder that `screenshot_reference` paths are relative to. */
  storageDir: string;
}

/** What one export call did. */
export interface ExportStats {
  records_processed: number;
  /** Records that got a manifest line in this call. */
  records_exported: number;
  new_images: number;
  /** Exported records whose screenshot was already stored. */
  duplicate_images: number;
  /** Records whose key was already in the manifest (skipped, nothing written). */
  already_exported: number;
  skipped_no_screenshot: number;
  filtered: number;
  annotations_added: number;
  export_time_seconds: number;
}

/** The dataset as it stands, from {@link TrainingDataExporter.summary}. */
export interface ExporterSummary {
  output_dir: string;
  total_images: number;
  total_annotations: number;
  manifest_lines: number;
  category_map: Record<string, number>;
  statistics: RunRecordMetadata["statistics"];
}

/** Options for the {@link TrainingDataExporter} constructor. */
export interface TrainingDataExporterOptions {
  /** `dataset_version` of a new dataset and `version` of new annotation files (default `1.0.0`). */
  datasetVersion?: string;
  /**
   * fsync every image and annotation file before its rename (default true: survives power loss).
   * false still replaces files by rename, so a killed process never leaves a torn file, and is
   * several times faster on disks where fsync is slow.
   */
  durable?: boolean;
}

interface State {
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

const DESCRIPTION = "Training dataset exported from qontinui-runner execution data";

function freshMetadata(version: string): RunRecordMetadata {
  return {
    dataset_version: version,
    created: new Date().toISOString(),
    total_images: 0,
    total_annotations: 0,
    category_map: {},
    categories: [],
    statistics: {
      total_records_processed: 0,
      records_with_screenshots: 0,
      records_with_matches: 0,
      records_with_clicks: 0,
      skipped_records: 0,
      export_time_seconds: 0,
    },
    format: "intermediate",
    description: DESCRIPTION,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (systemErrorCode(error) === "ENOENT") return false;
    throw ioError("check", path, error);
  }
}

async function imageSize(bytes: Buffer, path: string): Promise<ImageSize> {
  const png = pngSize(bytes);
  if (png !== undefined) return png;
  const { default: sharp } = await import("sharp");
  try {
    const meta = await sharp(bytes).metadata();
    if (meta.width === undefined || meta.height === undefined) throw new Error("no size in the header");
    return { width: meta.width, height: meta.height };
  } catch (error) {
    throw ioError("read the size of screenshot", path, error);
  }
}

/** Temp files of atomic writes (`.<name>.<pid>.<8 hex>.tmp`) that a killed export left behind. */
const STALE_TEMP = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

async function removeStaleTemps(dir: string): Promise<void> {
  for (const sub of [dir, join(dir, "images"), join(dir, "annotations")]) {
    for (const name of await readdir(sub)) {
      const match = STALE_TEMP.exec(name);
      if (match !== null && Number(match[1]) !== process.pid) await rm(join(sub, name), { force: true });
    }
  }
}

/** temp + rename without fsync: atomic against a killed process, not against power loss. */
async function writeFileRenamed(target: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, data, { flag: "wx" });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw ioError("write", target, error);
  }
}

function boxKey(ann: RunRecordAnnotation): string {
  return JSON.stringify([ann.bbox, ann.category_id]);
}

/**
 * Exports run records into a dataset folder; a second exporter on the same folder appends.
 * @example
 * const exporter = new TrainingDataExporter("datasets/my_app");
 * await exporter.exportRecords(records, { storageDir: "runs/run_001", filter: (r) => r.success === true });
 * await exporter.exportToCoco("datasets/my_app/dataset.json");
 * await exporter.close();
 */
export class TrainingDataExporter {
  private state: State | undefined;
  /** The state of the last close, so summary() still answers after close(). */
  private closed: State | undefined;
  private opening: Promise<State> | undefined;
  private readonly version: string;
  private readonly durable: boolean;

  constructor(
    /** The dataset folder (created when missing). */
    readonly outputDir: string,
    options: TrainingDataExporterOptions = {},
  ) {
    this.version = options.datasetVersion ?? "1.0.0";
    this.durable = options.durable ?? true;
  }

  /** Loads the folder's manifest and metadata (once); export calls do it themselves. */
  async open(): Promise<void> {
    await this.load();
  }

  private load(): Promise<State> {
    if (this.state !== undefined) return Promise.resolve(this.state);
    this.opening ??= this.readState().then((s) => (this.state = s));
    return this.opening;
  }

  private async readState(): Promise<State> {
    const dir = this.outputDir;
    try {
      await mkdir(join(dir, "images"), { recursive: true });
      await mkdir(join(dir, "annotations"), { recursive: true });
    } catch (error) {
      throw ioError("create dataset folder", dir, error);
    }
    await removeStaleTemps(dir);
    const metaPath = join(dir, "metadata.json");
    const metadata = (await exists(metaPath)) ? await readRunRecordMetadata(metaPath) : freshMetadata(this.version);
    const manifestPath = join(dir, "manifest.jsonl");
    // Opening the appender first repairs a line torn by a kill, so the read below sees whole lines.
    const appender = await openJsonlAppender(manifestPath);
    const state: State = { metadata, appender, ids: new Set(), annotationCounts: new Map(), totalAnnotations: 0, keys: new Set(), lines: 0, withMatches: 0, withClicks: 0 };
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
      state.annotationCounts.set(id, (await exists(path)) ? (await readRunRecordAnnotationFile(path)).annotations.length : 0);
    }
    for (const count of state.annotationCounts.values()) state.totalAnnotations += count;
    return state;
  }

  /**
   * Exports records (an array or any async iterable) and returns what this call did; metadata.json
   * is rewritten at the end even when the call is aborted.
   */
  async exportRecords(records: Iterable<ActionExecutionRecord> | AsyncIterable<ActionExecutionRecord>, options: ExportRecordsOptions): Promise<ExportStats> {
    const started = performance.now();
    const state = await this.load();
    const progress = throttleProgress(options.onProgress);
    const total = Array.isArray(records) ? records.length : undefined;
    const stats: ExportStats = {
      records_processed: 0,
      records_exported: 0,
      new_images: 0,
      duplicate_images: 0,
      already_exported: 0,
      skipped_no_screenshot: 0,
      filtered: 0,
      annotations_added: 0,
      export_time_seconds: 0,
    };
    try {
      for await (const record of records) {
        throwIfAborted(options.signal, `export run records to "${this.outputDir}"`);
        stats.records_processed++;
        await this.exportOne(state, record, options, stats);
        progress({ phase: "export records", done: stats.records_processed, ...(total === undefined ? {} : { total }), unit: "records" });
      }
    } catch (error) {
      // Keep the folder's metadata in step with what was written, then report the export's own error.
      stats.export_time_seconds = (performance.now() - started) / 1000;
      await this.writeMetadata(state, stats).catch(() => undefined);
      throw error;
    }
    stats.export_time_seconds = (performance.now() - started) / 1000;
    await this.writeMetadata(state, stats);
    return stats;
  }

  private async exportOne(state: State, record: ActionExecutionRecord, options: ExportRecordsOptions, stats: ExportStats): Promise<void> {
    if ((options.successfulOnly === true && record.success !== true) || (options.withMatchesOnly === true && !hasMatch(record)) || (options.filter !== undefined && !options.filter(record))) {
      stats.filtered++;
      return;
    }
    if (record.screenshot_reference === null) {
      stats.skipped_no_screenshot++;
      return;
    }
    const key = recordKey(record);
    if (state.keys.has(key)) {
      stats.already_exported++;
      return;
    }
    const source = join(options.storageDir, record.screenshot_reference);
    let bytes: Buffer;
    try {
      bytes = await readFile(source);
    } catch (error) {
      if (systemErrorCode(error) === "ENOENT") {
        stats.skipped_no_screenshot++;
        return;
      }
      throw ioError("read screenshot", source, error);
    }
    const id = contentId16(bytes);
    const size = await imageSize(bytes, source);
    const ext = pngSize(bytes) !== undefined ? ".png" : extname(source).toLowerCase() || ".png";
    const image = `images/${id}${ext}`;
    const isNew = !state.ids.has(id);
    // 1. the image (skipped when a killed run already stored it).
    if (!(await exists(join(this.outputDir, image)))) await (this.durable ? writeFileAtomic : writeFileRenamed)(join(this.outputDir, image), bytes);
    // 2. categories (metadata first, so ids survive a kill), then the merged annotation file.
    const boxes = recordBoxes(record, size.width, size.height);
    const meta = state.metadata;
    let newCategory = false;
    for (const box of boxes) {
      if (meta.category_map[box.category_name] !== undefined) continue;
      const next = meta.categories.reduce((max, c) => Math.max(max, c.id + 1), 0);
      meta.category_map[box.category_name] = next;
      meta.categories.push({ id: next, name: box.category_name });
      newCategory = true;
    }
    if (newCategory) await writeRunRecordMetadata(join(this.outputDir, "metadata.json"), meta);
    const annotationsRel = `annotations/${id}.json`;
    const annotationPath = join(this.outputDir, annotationsRel);
    const existing: RunRecordAnnotationFile | undefined = (await exists(annotationPath)) ? await readRunRecordAnnotationFile(annotationPath) : undefined;
    const file: RunRecordAnnotationFile = existing ?? {
      image_id: id,
      image_filename: `${id}${ext}`,
      image_width: size.width,
      image_height: size.height,
      annotations: [],
      context: {
        action_type: record.action_type,
        active_states: [...record.active_states_before].sort(),
        timestamp: record.start_time,
        success: record.success,
      },
      version: this.version,
    };
    const seen = new Set(file.annotations.map(boxKey));
    let added = 0;
    for (const box of boxes) {
      const ann: RunRecordAnnotation = { ...box, category_id: meta.category_map[box.category_name] as number };
      const k = boxKey(ann);
      if (seen.has(k)) continue;
      seen.add(k);
      file.annotations.push(ann);
      added++;
    }
    if (existing === undefined || added > 0) {
      if (this.durable) await writeRunRecordAnnotationFile(annotationPath, file);
      else await writeFileRenamed(annotationPath, JSON.stringify(file, null, 2) + "\n");
    }
    // 3. the manifest line, last: once it is there the record counts as exported.
    const entry: RunRecordManifestEntry = {
      id,
      image,
      annotations: annotationsRel,
      action_id: record.action_id,
      action_type: record.action_type,
      timestamp: record.start_time,
      active_states: [...record.active_states_before].sort(),
      source: "runner_execution",
      is_new: isNew,
      reviewed: false,
      record_key: key,
      annotation_count: file.annotations.length,
      has_match: hasMatch(record),
      has_click: record.clicked_location !== null,
    };
    await state.appender.append(entry);
    state.lines++;
    state.ids.add(id);
    state.keys.add(key);
    state.totalAnnotations += file.annotations.length - (state.annotationCounts.get(id) ?? 0);
    state.annotationCounts.set(id, file.annotations.length);
    if (entry.has_match === true) state.withMatches++;
    if (entry.has_click === true) state.withClicks++;
    stats.records_exported++;
    stats.annotations_added += added;
    if (isNew) stats.new_images++;
    else stats.duplicate_images++;
  }

  private async writeMetadata(state: State, stats: ExportStats): Promise<void> {
    const meta = state.metadata;
    const prior = meta.statistics;
    const skipped = prior.skipped_records + stats.skipped_no_screenshot + stats.filtered;
    meta.total_images = state.ids.size;
    meta.total_annotations = state.totalAnnotations;
    meta.updated = new Date().toISOString();
    meta.statistics = {
      ...prior,
      total_records_processed: state.lines + skipped,
      records_with_screenshots: state.lines,
      records_with_matches: state.withMatches,
      records_with_clicks: state.withClicks,
      skipped_records: skipped,
      export_time_seconds: Math.round((prior.export_time_seconds + stats.export_time_seconds) * 1000) / 1000,
      export_sessions: (typeof prior.export_sessions === "number" ? prior.export_sessions : 0) + 1,
    };
    await writeRunRecordMetadata(join(this.outputDir, "metadata.json"), meta);
  }

  /**
   * Writes the whole folder as COCO (via convert.ts) to `path` (default `<out>/dataset.json`).
   * @example await exporter.exportToCoco("datasets/my_app/dataset.json");
   */
  async exportToCoco(path = join(this.outputDir, "dataset.json"), control: RunControl = {}): Promise<CocoDataset> {
    const dataset = await readRunRecordDataset(this.outputDir, { ...control, checkImageSizes: false });
    const coco = await runRecordToCoco(dataset, control);
    await writeCoco(path, coco);
    return coco;
  }

  /** The dataset's totals, categories and cumulative statistics as loaded and exported so far. */
  summary(): ExporterSummary {
    const state = this.state ?? this.closed;
    const meta = state?.metadata ?? freshMetadata(this.version);
    return {
      output_dir: this.outputDir,
      total_images: state?.ids.size ?? 0,
      total_annotations: state?.totalAnnotations ?? 0,
      manifest_lines: state?.lines ?? 0,
      category_map: { ...meta.category_map },
      statistics: { ...meta.statistics },
    };
  }

  /** Closes the manifest; a later export call opens the folder again. */
  async close(): Promise<void> {
    const state = this.state;
    this.state = undefined;
    this.opening = undefined;
    if (state !== undefined) {
      this.closed = state;
      await state.appender.close();
    }
  }
}
