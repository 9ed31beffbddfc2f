/** The qontinui run-record folder as a {@link FormatHandler}: detection, validation, stats. */
import { IssueCollector, type ValidationIssue } from "../util/issues.js";
import type { RunControl } from "../util/run-control.js";
import type { DatasetStats, FormatHandler, HandlerValidateOptions } from "./format-handler.js";
import { readRunRecordDataset, type RunRecordDataset } from "./run-record-dataset.js";

/**
 * Counts for `trainset stats`: distinct images, boxes, categories, boxes per category and per
 * source, the verified share, and manifest figures (lines, repeats, reviewed).
 * @example
 * runRecordStats(await readRunRecordDataset(dir), dir).sources; // { template_matching: 120, user_click: 80 }
 */
export function runRecordStats(dataset: RunRecordDataset, path: string): DatasetStats {
  const perLabel: Record<string, number> = {};
  for (const category of dataset.metadata?.categories ?? []) perLabel[category.name] = 0;
  const sources: Record<string, number> = {};
  let boxes = 0;
  let verified = 0;
  let withoutBoxes = 0;
  for (const id of dataset.imageIds) {
    const file = dataset.annotationFiles.get(id);
    if (file === undefined || file.annotations.length === 0) withoutBoxes++;
    if (file === undefined) continue;
    for (const ann of file.annotations) {
      boxes++;
      perLabel[ann.category_name] = (perLabel[ann.category_name] ?? 0) + 1;
      const source = typeof ann.source === "string" ? ann.source : "unknown";
      sources[source] = (sources[source] ?? 0) + 1;
      if (ann.verified === true) verified++;
    }
  }
  let reviewed = 0;
  for (const { entry } of dataset.manifest) if (entry.reviewed === true) reviewed++;
  return {
    format: "run-record",
    path,
    images: dataset.imageIds.length,
    records: boxes,
    recordsLabel: "annotations",
    perLabel,
    sources,
    verifiedShare: boxes === 0 ? 0 : verified / boxes,
    extra: {
      categories: Object.keys(perLabel).length,
      "manifest lines": dataset.manifest.length,
      "repeated lines": dataset.manifest.length - new Set(dataset.manifest.map((l) => l.entry.id)).size,
      "reviewed lines": reviewed,
      "images without annotations": withoutBoxes,
    },
  };
}

/** The run-record handler used by `trainset validate` and `trainset stats`. */
export const runRecordHandler: FormatHandler = {
  format: "run-record",
  description: "qontinui run-record folder (manifest.jsonl, images/, annotations/, metadata.json)",
  detect(_path, evidence) {
    return evidence.isDirectory && evidence.entries.includes("manifest.jsonl") && (evidence.entries.includes("annotations") || evidence.entries.includes("images"));
  },
  async validate(path, options: HandlerValidateOptions = {}): Promise<ValidationIssue[]> {
    const issues = new IssueCollector(undefined, {
      mode: options.mode ?? "collect",
      ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }),
    });
    await readRunRecordDataset(path, {
      issues,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    return issues.issues;
  },
  async stats(path, control: RunControl = {}): Promise<DatasetStats> {
    const dataset = await readRunRecordDataset(path, { ...control, issues: new IssueCollector(undefined, { mode: "collect", maxIssues: 0 }) });
    return runRecordStats(dataset, path);
  },
};
