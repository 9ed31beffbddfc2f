/**
 * Reads the machine output of `trainset stats --json` and `trainset validate --json` into what the
 * explorer shows: a one-line count summary and issues grouped by file. Pure: no vscode, no I/O.
 */
import type { DatasetCounts } from "../../../webviews/src/protocol/stats.js";

/** One dataset's counts, as `trainset stats --json` prints them (shared with the stats webview). */
export type { DatasetCounts };

/** One issue of `trainset validate --json`. */
export interface DatasetIssue {
  severity: "error" | "warning";
  rule: string;
  message: string;
  file?: string;
  line?: number;
  field?: string;
}

/** One dataset's validation result. */
export interface DatasetValidation {
  path: string;
  format: string;
  errors: number;
  warnings: number;
  issues: DatasetIssue[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function datasetsOf(stdout: string, command: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (error) {
    throw new Error(`Cannot read the output of trainset ${command} --json: it is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.datasets)) throw new Error(`Cannot read the output of trainset ${command} --json: "datasets" is missing`);
  return parsed.datasets;
}

/** Parses `trainset stats --json` output. */
export function parseStatsOutput(stdout: string): DatasetCounts[] {
  return datasetsOf(stdout, "stats").filter((d): d is DatasetCounts => isRecord(d) && typeof d.path === "string" && typeof d.format === "string");
}

/** Parses `trainset validate --json` output. */
export function parseValidateOutput(stdout: string): DatasetValidation[] {
  return datasetsOf(stdout, "validate").flatMap((d) => {
    if (!isRecord(d) || typeof d.path !== "string" || !Array.isArray(d.issues)) return [];
    const issues = d.issues.filter((i): i is DatasetIssue => isRecord(i) && (i.severity === "error" || i.severity === "warning") && typeof i.message === "string");
    return [{ path: d.path, format: String(d.format), errors: Number(d.errors) || 0, warnings: Number(d.warnings) || 0, issues }];
  });
}

/**
 * The tree item description of a dataset, e.g. `24 images · 47 annotations · 3 labels`.
 * @example describeCounts({ path: "a.json", format: "coco", images: 2, records: 3, recordsLabel: "annotations" })
 */
export function describeCounts(counts: DatasetCounts): string {
  const parts: string[] = [];
  if (counts.images !== undefined) parts.push(`${counts.images} image${counts.images === 1 ? "" : "s"}`);
  if (counts.records !== undefined) parts.push(`${counts.records} ${counts.recordsLabel ?? "records"}`);
  const labels = counts.perLabel === undefined ? 0 : Object.keys(counts.perLabel).length;
  if (labels > 0) parts.push(`${labels} label${labels === 1 ? "" : "s"}`);
  return parts.join(" · ");
}

/**
 * Groups issues by the file they point to (the dataset path when an issue names no file), each
 * with a 0-based line for the editor (`line` in the CLI output is 1-based).
 */
export function issuesByFile(results: readonly DatasetValidation[]): Map<string, Array<DatasetIssue & { line0: number }>> {
  const byFile = new Map<string, Array<DatasetIssue & { line0: number }>>();
  for (const result of results) {
    for (const issue of result.issues) {
      const file = issue.file ?? result.path;
      const list = byFile.get(file) ?? [];
      list.push({ ...issue, line0: Math.max(0, (issue.line ?? 1) - 1) });
      byFile.set(file, list);
    }
  }
  return byFile;
}
