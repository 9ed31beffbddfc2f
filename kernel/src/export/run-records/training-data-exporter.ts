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
import { join } from "node:path";
import { throttleProgress, throwIfAborted, type RunControl } from "../../util/run-control.js";
import { writeCoco, type CocoDataset } from "../../formats/coco.js";
import { runRecordToCoco } from "../../formats/convert.js";
import { readRunRecordDataset } from "../../formats/run-record-dataset.js";
import type { RunRecordMetadata } from "../../formats/run-record.js";
import type { ActionExecutionRecord } from "./action-record.js";
import { freshMetadata, writeExportMetadata } from "./dataset-metadata.js";
import { openDatasetState, type DatasetState } from "./dataset-state.js";
import type { ExportRecordsOptions } from "./export-options.js";
import { exportRecord } from "./export-record.js";
import { emptyExportStats, type ExportStats } from "./export-stats.js";

export type { ExportFilterOptions, ExportRecordsOptions } from "./export-options.js";
export type { ExportStats } from "./export-stats.js";

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

/**
 * Exports run records into a dataset folder; a second exporter on the same folder appends.
 * @example
 * const exporter = new TrainingDataExporter("datasets/my_app");
 * await exporter.exportRecords(records, { storageDir: "runs/run_001", filter: (r) => r.success === true });
 * await exporter.exportToCoco("datasets/my_app/dataset.json");
 * await exporter.close();
 */
export class TrainingDataExporter {
  private state: DatasetState | undefined;
  /** The state of the last close, so summary() still answers after close(). */
  private closed: DatasetState | undefined;
  private opening: Promise<DatasetState> | undefined;
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

  private load(): Promise<DatasetState> {
    if (this.state !== undefined) return Promise.resolve(this.state);
    this.opening ??= openDatasetState(this.outputDir, { version: this.version }).then((s) => (this.state = s));
    return this.opening;
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
    const stats = emptyExportStats();
    const context = { state, options, stats, version: this.version, durable: this.durable };
    try {
      for await (const record of records) {
        throwIfAborted(options.signal, `export run records to "${this.outputDir}"`);
        stats.records_processed++;
        await exportRecord(record, context);
        progress({ phase: "export records", done: stats.records_processed, ...(total === undefined ? {} : { total }), unit: "records" });
      }
    } catch (error) {
      // Keep the folder's metadata in step with what was written, then report the export's own error.
      stats.export_time_seconds = (performance.now() - started) / 1000;
      await writeExportMetadata(state, stats).catch(() => undefined);
      throw error;
    }
    stats.export_time_seconds = (performance.now() - started) / 1000;
    await writeExportMetadata(state, stats);
    return stats;
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
