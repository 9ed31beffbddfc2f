/** Options of a run-record export call: which records it takes and where their screenshots are. */
import type { RunControl } from "../../util/run-control.js";
import type { ActionExecutionRecord } from "./action-record.js";
import { hasMatch } from "./record-boxes.js";

/** Which records an export takes. */
export interface ExportFilterOptions {
  /** Only records with `success: true` (default false). */
  successfulOnly?: boolean;
  /** Only records with a found template match (default false). */
  withMatchesOnly?: boolean;
  /** A custom predicate; records for which it returns false are skipped. */
  filter?: (record: ActionExecutionRecord) => boolean;
}

/** Options for {@link TrainingDataExporter.exportRecords}. */
export interface ExportRecordsOptions extends ExportFilterOptions, RunControl {
  /** The run folder that `screenshot_reference` paths are relative to. */
  storageDir: string;
}

/** Whether `options` filter `record` out (successful-only, with-matches-only, custom predicate). */
export function isFilteredOut(record: ActionExecutionRecord, options: ExportFilterOptions): boolean {
  return (options.successfulOnly === true && record.success !== true) || (options.withMatchesOnly === true && !hasMatch(record)) || (options.filter !== undefined && !options.filter(record));
}
