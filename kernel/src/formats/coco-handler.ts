/** COCO as a {@link FormatHandler}: detection, validation and `trainset stats` figures. */
import { isTrainsetError } from "../util/errors.js";
import { IssueCollector, type ValidationIssue } from "../util/issues.js";
import type { RunControl } from "../util/run-control.js";
import { readCoco, type CocoDataset } from "./coco.js";
import type { DatasetStats, FormatHandler, HandlerValidateOptions } from "./format-handler.js";

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}

/**
 * Counts for `trainset stats`: images, annotations, categories, boxes per category name, per
 * `source` (qontinui's extra field) and the share of `verified: true` annotations.
 * @example
 * cocoStats(coco, "train.json").perLabel; // { person: 262465, car: 43867, ... }
 */
export function cocoStats(dataset: CocoDataset, path: string): DatasetStats {
  // Stats also run on files with errors (collect mode), so skip elements that are not objects.
  const names = new Map<unknown, string>();
  const perLabel: Record<string, number> = {};
  for (const category of dataset.categories) {
    if (!isObject(category)) continue;
    const name = typeof category.name === "string" ? category.name : `category ${String(category.id)}`;
    names.set(category.id, name);
    perLabel[name] = 0;
  }
  const sources: Record<string, number> = {};
  let withSource = 0;
  let verified = 0;
  let withVerified = 0;
  let crowd = 0;
  const annotated = new Set<unknown>();
  for (const ann of dataset.annotations) {
    if (!isObject(ann)) continue;
    const name = names.get(ann.category_id) ?? `unknown (${String(ann.category_id)})`;
    perLabel[name] = (perLabel[name] ?? 0) + 1;
    if (typeof ann.source === "string") {
      sources[ann.source] = (sources[ann.source] ?? 0) + 1;
      withSource++;
    }
    if (typeof ann.verified === "boolean") {
      withVerified++;
      if (ann.verified) verified++;
    }
    if (ann.iscrowd === 1) crowd++;
    annotated.add(ann.image_id);
  }
  return {
    format: "coco",
    path,
    images: dataset.images.length,
    records: dataset.annotations.length,
    recordsLabel: "annotations",
    perLabel,
    ...(withSource > 0 ? { sources } : {}),
    ...(withVerified > 0 ? { verifiedShare: dataset.annotations.length === 0 ? 0 : verified / dataset.annotations.length } : {}),
    extra: {
      categories: dataset.categories.length,
      "images without annotations": dataset.images.length - annotated.size,
      "crowd annotations": crowd,
    },
  };
}

/** The COCO handler used by `trainset validate` and `trainset stats`. */
export const cocoHandler: FormatHandler = {
  format: "coco",
  description: "COCO detection JSON (images, annotations, categories)",
  detect(path, evidence) {
    if (evidence.isDirectory || !path.toLowerCase().endsWith(".json")) return false;
    const head = evidence.head.trimStart();
    if (!head.startsWith("{")) return false;
    return /"images"\s*:\s*\[/.test(head) && /"(file_name|annotations|categories)"\s*:/.test(head);
  },
  async validate(path, options: HandlerValidateOptions = {}): Promise<ValidationIssue[]> {
    const mode = options.mode ?? "collect";
    const issues = new IssueCollector(path, {
      mode,
      ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }),
    });
    try {
      await readCoco(path, { issues, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    } catch (error) {
      if (mode === "collect" && isTrainsetError(error, "PARSE_ERROR")) {
        issues.error("invalid-json", error.message.replace(/^Cannot read [^:]*: /, ""), error.line === undefined ? {} : { line: error.line });
      } else if (!(mode === "collect" && isTrainsetError(error, "VALIDATION_ERROR"))) {
        throw error;
      }
    }
    return issues.issues;
  },
  async stats(path, control: RunControl = {}): Promise<DatasetStats> {
    const dataset = await readCoco(path, {
      issues: new IssueCollector(path, { mode: "collect", maxIssues: 0 }),
      ...(control.signal === undefined ? {} : { signal: control.signal }),
    });
    return cocoStats(dataset, path);
  },
};
