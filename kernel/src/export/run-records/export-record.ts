/**
 * The write sequence of one run record (crash-safe order): the image (temp + rename), new
 * categories in metadata.json, the merged annotation file, and last the manifest line.
 */
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { ioError, systemErrorCode } from "../../util/errors.js";
import { contentId16 } from "../../util/hashing.js";
import { pngSize, type ImageSize } from "../../formats/run-record-image-size.js";
import {
  readRunRecordAnnotationFile,
  writeRunRecordAnnotationFile,
  type RunRecordAnnotation,
  type RunRecordAnnotationFile,
  type RunRecordManifestEntry,
} from "../../formats/run-record.js";
import type { ActionExecutionRecord } from "./action-record.js";
import { fileExists, writeFileRenamed } from "./dataset-files.js";
import { addCategories, writeDatasetMetadata } from "./dataset-metadata.js";
import { addExportedLine, type DatasetState } from "./dataset-state.js";
import { isFilteredOut, type ExportRecordsOptions } from "./export-options.js";
import type { ExportStats } from "./export-stats.js";
import { hasMatch, recordBoxes, recordKey } from "./record-boxes.js";

/** Where and how {@link exportRecord} writes, and what it tallies into. */
export interface ExportRecordContext {
  /** The loaded dataset folder. */
  state: DatasetState;
  /** The export call's options (filters, storage folder). */
  options: ExportRecordsOptions;
  /** The export call's stats, updated in place. */
  stats: ExportStats;
  /** `version` of new annotation files. */
  version: string;
  /** fsync image and annotation files before their rename. */
  durable: boolean;
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

function boxKey(ann: RunRecordAnnotation): string {
  return JSON.stringify([ann.bbox, ann.category_id]);
}

/** Exports one record into the dataset folder, or counts why it was skipped. */
export async function exportRecord(record: ActionExecutionRecord, context: ExportRecordContext): Promise<void> {
  const { state, options, stats } = context;
  const outputDir = state.dir;
  if (isFilteredOut(record, options)) {
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
  if (!(await fileExists(join(outputDir, image)))) await (context.durable ? writeFileAtomic : writeFileRenamed)(join(outputDir, image), bytes);
  // 2. categories (metadata first, so ids survive a kill), then the merged annotation file.
  const boxes = recordBoxes(record, size.width, size.height);
  const meta = state.metadata;
  if (addCategories(meta, boxes)) await writeDatasetMetadata(state);
  const annotationsRel = `annotations/${id}.json`;
  const annotationPath = join(outputDir, annotationsRel);
  const existing: RunRecordAnnotationFile | undefined = (await fileExists(annotationPath)) ? await readRunRecordAnnotationFile(annotationPath) : undefined;
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
    version: context.version,
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
    if (context.durable) await writeRunRecordAnnotationFile(annotationPath, file);
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
  addExportedLine(state, { id, key, annotationCount: file.annotations.length, hasMatch: entry.has_match === true, hasClick: entry.has_click === true });
  stats.records_exported++;
  stats.annotations_added += added;
  if (isNew) stats.new_images++;
  else stats.duplicate_images++;
}
