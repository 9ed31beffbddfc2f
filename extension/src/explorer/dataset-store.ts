/**
 * The explorer's model: datasets found by the scanner, their counts (`trainset stats --json`) and
 * validation results (`trainset validate --json`); fires `onDidChange` after every update.
 */
import * as vscode from "vscode";
import type { DatasetCounts, DatasetValidation } from "./dataset-report.js";
import type { FoundDataset } from "./dataset-scanner.js";

/** The explorer's state. */
export class DatasetStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after datasets, counts or validation change. */
  readonly onDidChange = this.changed.event;
  datasets: FoundDataset[] = [];
  readonly counts = new Map<string, DatasetCounts>();
  readonly validation = new Map<string, DatasetValidation>();
  /** The dataset last selected in the tree (the notebook template uses it). */
  selected: FoundDataset | undefined;

  /** Replaces the dataset list; keeps counts of datasets still present. */
  setDatasets(datasets: FoundDataset[]): void {
    this.datasets = datasets;
    const paths = new Set(datasets.map((d) => d.path));
    for (const key of [...this.counts.keys()]) if (!paths.has(key)) this.counts.delete(key);
    for (const key of [...this.validation.keys()]) if (!paths.has(key)) this.validation.delete(key);
    this.changed.fire();
  }

  /** Records counts by dataset path. */
  setCounts(counts: readonly DatasetCounts[]): void {
    for (const c of counts) this.counts.set(c.path, c);
    this.changed.fire();
  }

  /** Records validation results by dataset path. */
  setValidation(results: readonly DatasetValidation[]): void {
    for (const r of results) this.validation.set(r.path, r);
    this.changed.fire();
  }

  /** Total errors and warnings over all validated datasets. */
  problemCount(): number {
    let total = 0;
    for (const r of this.validation.values()) total += r.errors + r.warnings;
    return total;
  }

  /** The dataset at `path`, if listed. */
  find(path: string): FoundDataset | undefined {
    return this.datasets.find((d) => d.path === path);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
