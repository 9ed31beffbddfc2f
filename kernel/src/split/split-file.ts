/**
 * `splitFile`: read a dataset in any supported format, split it by group, write one file per split
 * in the same format plus `split_report.json`. The per-format wrappers fix the format.
 */
import { stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import type { DatasetFormat } from "../formats/format-handler.js";
import { detectFormat } from "../formats/registry.js";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { TrainsetError } from "../util/errors.js";
import { readCocoSource } from "./adapters/coco-source.js";
import { readFrameTableSource } from "./adapters/frame-table-source.js";
import { readLegacyJsonlSource } from "./adapters/legacy-jsonl-source.js";
import { readPairsSource } from "./adapters/pairs-source.js";
import { readRunRecordSource } from "./adapters/run-record-source.js";
import {
  requireSomeLabels,
  type SplitSource,
  type SplitSourceOptions,
} from "./adapters/split-source.js";
import {
  resolveSplitOptions,
  splitByGroup,
  type SplitByGroupOptions,
  type SplitByGroupResult,
} from "./group-split.js";
import type { SplitReport } from "./split-report.js";

/** The name of the report written next to the split files. */
export const SPLIT_REPORT_FILE = "split_report.json";

/** Options for {@link readSplitSource}. */
export interface ReadSplitSourceOptions extends SplitSourceOptions {
  /** Skip detection (default: detected from the file). */
  format?: DatasetFormat;
}

/** Options for {@link splitFile}. */
export interface SplitFileOptions extends SplitByGroupOptions, ReadSplitSourceOptions {
  /** Folder for the split files and `split_report.json` (created when missing). */
  out: string;
}

/** `split_report.json`: the split report plus what was read and written. */
export interface SplitFileReport extends SplitReport {
  /** File name of the input. */
  input: string;
  format: DatasetFormat;
  /** What one sample is (`images`, `frames`, `records`). */
  unit: string;
  groupBy: string;
  labelSource: string;
  /** Split name → written file, relative to the output folder. */
  files: Record<string, string>;
}

/** What {@link splitFile} did. */
export interface SplitFileResult {
  report: SplitFileReport;
  /** Paths written, one per split, then the report. */
  files: string[];
  /** Assignments per sample, for callers that go on in memory. */
  split: SplitByGroupResult;
}

async function formatOf(input: string, format: DatasetFormat | undefined): Promise<DatasetFormat> {
  if (format !== undefined) return format;
  try {
    return (await detectFormat(input)).format;
  } catch (error) {
    // A folder with a manifest is a run-record dataset even where no handler claims it.
    const isDir = await stat(input).then(
      (s) => s.isDirectory(),
      () => false,
    );
    const hasManifest =
      isDir &&
      (await stat(join(input, "manifest.jsonl")).then(
        () => true,
        () => false,
      ));
    if (hasManifest) return "run-record";
    throw error;
  }
}

/**
 * Reads a dataset file (or run-record folder) as generic split rows with its writer.
 * @example const source = await readSplitSource("legacy_img_dicts.jsonl"); source.rows.length
 */
export async function readSplitSource(
  input: string,
  options: ReadSplitSourceOptions = {},
): Promise<SplitSource> {
  const format = await formatOf(input, options.format);
  if (options.groupMap !== undefined && format !== "coco") {
    throw new TrainsetError(
      "VALIDATION_ERROR",
      `Cannot split "${input}": --group-map applies to COCO files only (this is ${format}); use --group-by`,
      { file: input },
    );
  }
  switch (format) {
    case "legacy-jsonl":
      return readLegacyJsonlSource(input, options);
    case "frame-table":
      return readFrameTableSource(input, options);
    case "coco":
      return readCocoSource(input, options);
    case "run-record":
      return readRunRecordSource(input, options);
    case "pairs":
      return readPairsSource(input, options);
    default:
      throw new TrainsetError(
        "UNSUPPORTED_FORMAT",
        `Cannot split "${input}": unknown format "${String(format)}"`,
        { file: input },
      );
  }
}

/**
 * Splits a dataset file by group and writes one file per split in its own format plus
 * `split_report.json`; the same input and seed give byte-identical files.
 * @example
 * const { report } = await splitFile("legacy_img_dicts.jsonl", { out: "splits", ratios: "train=0.8,val=0.1,test=0.1", seed: 42 });
 * report.maxRelativeDeviation?.value; // e.g. 0.01
 */
export async function splitFile(
  input: string,
  options: SplitFileOptions,
): Promise<SplitFileResult> {
  resolveSplitOptions(options);
  const source = await readSplitSource(input, options);
  if ((options.mode ?? "stratified") === "stratified")
    requireSomeLabels(source.rows, input, source.labelSource);
  const split = splitByGroup(source.rows, options);
  const written = await source.write(options.out, split.splits, split.assignments);
  const files: Record<string, string> = {};
  split.splits.forEach(
    (name, k) =>
      (files[name] = relative(options.out, written[k] ?? "")
        .split("\\")
        .join("/")),
  );
  const report: SplitFileReport = {
    input: basename(input),
    format: source.format,
    unit: source.unit,
    groupBy: source.groupBy,
    labelSource: source.labelSource,
    ...split.report,
    files,
  };
  const reportPath = join(options.out, SPLIT_REPORT_FILE);
  await writeJsonAtomic(reportPath, report);
  return { report, files: [...written, reportPath], split };
}

type FixedFormatOptions = Omit<SplitFileOptions, "format">;

/**
 * Splits lx-ai's legacy JSONL by `old_examination_id` (`no_exam_<old_id>` when null).
 * @example await splitLegacyJsonl("legacy_img_dicts.jsonl", { out: "splits" });
 */
export function splitLegacyJsonl(
  input: string,
  options: FixedFormatOptions,
): Promise<SplitFileResult> {
  return splitFile(input, { ...options, format: "legacy-jsonl" });
}

/**
 * Splits a COCO file by an image field or a group map; each split keeps its images' annotations.
 * @example await splitCoco("dataset.json", { out: "splits", ratios: "0.7,0.2,0.1" });
 */
export function splitCoco(input: string, options: FixedFormatOptions): Promise<SplitFileResult> {
  return splitFile(input, { ...options, format: "coco" });
}

/**
 * Splits a frame-annotation table by video (frames are the samples).
 * @example await splitFrameTable("annotations.csv", { out: "splits", folds: 5 });
 */
export function splitFrameTable(
  input: string,
  options: FixedFormatOptions,
): Promise<SplitFileResult> {
  return splitFile(input, { ...options, format: "frame-table" });
}

/**
 * Splits a run-record folder by image id; each split is a run-record folder of its own.
 * @example await splitManifest("datasets/session_001", { out: "splits" });
 */
export function splitManifest(
  input: string,
  options: FixedFormatOptions,
): Promise<SplitFileResult> {
  return splitFile(input, { ...options, format: "run-record" });
}

/**
 * Splits preference records by project and timestamp.
 * @example await splitPairs("historical_mojo1.jsonl", { out: "splits" });
 */
export function splitPairs(input: string, options: FixedFormatOptions): Promise<SplitFileResult> {
  return splitFile(input, { ...options, format: "pairs" });
}
