/** The contract each dataset format implements so `trainset validate` and `stats` work on it. */
import type { ValidationIssue, ValidationMode } from "../util/issues.js";
import type { RunControl } from "../util/run-control.js";

/** The formats trainset recognises on disk. */
export type DatasetFormat = "coco" | "run-record" | "frame-table" | "legacy-jsonl" | "pairs";

/** Counts that `trainset stats` prints; a format fills what applies to it. */
export interface DatasetStats {
  format: DatasetFormat;
  /** The file or folder described. */
  path: string;
  /** Images (COCO images, manifest images, frames, legacy rows' files, pair images). */
  images?: number;
  /** Annotations, rows or records, named by `recordsLabel`. */
  records?: number;
  /** What a record is in this format: "annotations", "rows", "pairs"… */
  recordsLabel?: string;
  /** Category or label name → number of positive annotations / rows. */
  perLabel?: Record<string, number>;
  /** Annotation source (e.g. `template_matching`, `user_click`) → count. */
  sources?: Record<string, number>;
  /** Share of annotations with `verified: true`, 0..1. */
  verifiedShare?: number;
  /** Number of groups (examinations, videos, projects) when the format has them. */
  groups?: number;
  /** Further named figures (e.g. `unknown labels`, `multi-select`). */
  extra?: Record<string, number | string>;
}

/** Options for validating through a handler. */
export interface HandlerValidateOptions extends RunControl {
  mode?: ValidationMode;
  maxIssues?: number;
}

/** One format's detection, validation and statistics. */
export interface FormatHandler {
  format: DatasetFormat;
  /** One line for help texts. */
  description: string;
  /**
   * Decides from cheap evidence whether `path` is in this format: `head` is the first 64 KiB of a
   * file (empty for folders), `entries` the names in a folder (empty for files).
   */
  detect(path: string, evidence: { isDirectory: boolean; head: string; entries: readonly string[] }): boolean;
  /** All issues in collect mode; throws on the first error in strict mode. */
  validate(path: string, options?: HandlerValidateOptions): Promise<ValidationIssue[]>;
  stats(path: string, control?: RunControl): Promise<DatasetStats>;
}
