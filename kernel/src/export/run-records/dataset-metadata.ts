/**
 * metadata.json bookkeeping of a run-record dataset: the fresh metadata of a new folder, category
 * ids handed out in order, and the cumulative statistics written at the end of each export call.
 */
import { join } from "node:path";
import { writeRunRecordMetadata, type RunRecordMetadata } from "../../formats/run-record.js";
import type { DatasetState } from "./dataset-state.js";
import type { ExportStats } from "./export-stats.js";
import type { PendingBox } from "./record-boxes.js";

const DESCRIPTION = "Training dataset exported from qontinui-runner execution data";

/** The metadata of a dataset folder that has none yet. */
export function freshMetadata(version: string): RunRecordMetadata {
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

/** Gives each new category of `boxes` the next id in `meta`; true when any was added. */
export function addCategories(meta: RunRecordMetadata, boxes: readonly PendingBox[]): boolean {
  let newCategory = false;
  for (const box of boxes) {
    if (meta.category_map[box.category_name] !== undefined) continue;
    const next = meta.categories.reduce((max, c) => Math.max(max, c.id + 1), 0);
    meta.category_map[box.category_name] = next;
    meta.categories.push({ id: next, name: box.category_name });
    newCategory = true;
  }
  return newCategory;
}

/** Writes the folder's metadata.json. */
export async function writeDatasetMetadata(state: DatasetState): Promise<void> {
  await writeRunRecordMetadata(join(state.dir, "metadata.json"), state.metadata);
}

/**
 * Brings the totals and statistics up to date after an export call (totals from the manifest,
 * `skipped_records` and times added to the prior ones) and writes metadata.json.
 */
export async function writeExportMetadata(state: DatasetState, stats: ExportStats): Promise<void> {
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
  await writeDatasetMetadata(state);
}
