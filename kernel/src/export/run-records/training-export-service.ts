/**
 * `TrainingExportService` (seed 002; qontinui-runner `training_export_service.py`): collects run
 * records as they happen and exports them on completion, every `batchSize` records, or on demand.
 */
import type { RunControl } from "../../util/run-control.js";
import type { CocoDataset } from "../../formats/coco.js";
import type { ActionExecutionRecord } from "./action-record.js";
import { emptyExportStats, type ExportStats } from "./export-stats.js";
import { TrainingDataExporter, type ExporterSummary, type ExportFilterOptions } from "./training-data-exporter.js";

/** When the service exports what it collected. */
export type ExportMode = "on_completion" | "incremental" | "manual";

/** Options for {@link TrainingExportService}. */
export interface ExportServiceConfig extends ExportFilterOptions, RunControl {
  /** The dataset folder. */
  outputDir: string;
  /** The run folder that screenshot references are relative to. */
  storageDir: string;
  /** Default `on_completion`. */
  mode?: ExportMode;
  /** Records per export in `incremental` mode (default 50). */
  batchSize?: number;
  /** Default `1.0.0`. */
  datasetVersion?: string;
  /** fsync each image and annotation file (default true); see TrainingDataExporterOptions. */
  durable?: boolean;
}

/**
 * A streaming export: `add(record)` as actions finish, `complete()` at the end of the run.
 * @example
 * const service = new TrainingExportService({ outputDir: "dataset", storageDir: "run_001", mode: "incremental", batchSize: 50 });
 * for await (const record of readActionRecords("run_001/records.jsonl")) await service.add(record);
 * await service.complete();
 */
export class TrainingExportService {
  readonly exporter: TrainingDataExporter;
  readonly mode: ExportMode;
  readonly batchSize: number;
  private pending: ActionExecutionRecord[] = [];
  private readonly totals: ExportStats = emptyExportStats();

  constructor(private readonly config: ExportServiceConfig) {
    const mode = config.mode ?? "on_completion";
    if (!["on_completion", "incremental", "manual"].includes(mode)) throw new RangeError(`Cannot start export service: mode must be on_completion, incremental or manual, got "${String(mode)}"`);
    const batchSize = config.batchSize ?? 50;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`Cannot start export service: batchSize must be a positive integer, got ${batchSize}`);
    this.mode = mode;
    this.batchSize = batchSize;
    this.exporter = new TrainingDataExporter(config.outputDir, {
      ...(config.datasetVersion === undefined ? {} : { datasetVersion: config.datasetVersion }),
      ...(config.durable === undefined ? {} : { durable: config.durable }),
    });
  }

  /** Records collected and not exported yet. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Collects a record; in `incremental` mode a full batch is exported at once (its stats returned). */
  async add(record: ActionExecutionRecord): Promise<ExportStats | undefined> {
    this.pending.push(record);
    if (this.mode === "incremental" && this.pending.length >= this.batchSize) return this.exportNow();
    return undefined;
  }

  /** Exports every pending record now, whatever the mode. */
  async exportNow(): Promise<ExportStats> {
    const batch = this.pending;
    this.pending = [];
    const c = this.config;
    const stats = await this.exporter.exportRecords(batch, {
      storageDir: c.storageDir,
      ...(c.successfulOnly === undefined ? {} : { successfulOnly: c.successfulOnly }),
      ...(c.withMatchesOnly === undefined ? {} : { withMatchesOnly: c.withMatchesOnly }),
      ...(c.filter === undefined ? {} : { filter: c.filter }),
      ...(c.signal === undefined ? {} : { signal: c.signal }),
      ...(c.onProgress === undefined ? {} : { onProgress: c.onProgress }),
    });
    for (const key of Object.keys(stats) as (keyof ExportStats)[]) this.totals[key] += stats[key];
    return stats;
  }

  /** The run finished: exports what is pending unless the mode is `manual`; returns the service's totals. */
  async complete(): Promise<ExportStats> {
    if (this.mode !== "manual" && this.pending.length > 0) await this.exportNow();
    return { ...this.totals };
  }

  /** Writes the dataset as COCO (default `<outputDir>/dataset.json`). */
  exportToCoco(path?: string): Promise<CocoDataset> {
    return this.exporter.exportToCoco(path);
  }

  /** The dataset's state plus this service's totals and pending count. */
  summary(): ExporterSummary & { session: ExportStats; pending: number; mode: ExportMode } {
    return { ...this.exporter.summary(), session: { ...this.totals }, pending: this.pending.length, mode: this.mode };
  }

  /** Closes the dataset's manifest. */
  close(): Promise<void> {
    return this.exporter.close();
  }
}
