/** Writes the files of an extraction, each optional and each atomic (temp file + rename). */
import { writePairsCsv, writePairsJsonl } from "../formats/pairs.js";
import { writeJsonAtomic, writeLinesAtomic } from "../util/atomic-write.js";
import type { HistoricalResult } from "./extract.js";

/** Target files; leave one out to skip it. */
export interface HistoricalOutputPaths {
  /** Decisions as JSONL (seed 003 Format 2). */
  jsonl?: string;
  /** Decisions as CSV (seed 003 Format 1). */
  csv?: string;
  /** The master image table (`project_images.jsonl`); needs `includeImages` at extraction. */
  images?: string;
  /** `extraction_report.json`. */
  report?: string;
  /** Preference pairs (TRL prompt/chosen/rejected) as JSONL. */
  pairs?: string;
}

/** Writes rows as JSONL atomically, one line per row. */
async function writeJsonl(path: string, rows: readonly unknown[]): Promise<void> {
  await writeLinesAtomic(path, (function* () {
    for (const row of rows) yield JSON.stringify(row) + "\n";
  })());
}

/**
 * Writes the requested outputs of `result`; returns the paths written.
 * @example await writeHistoricalOutputs(result, { jsonl: "historical.jsonl", report: "extraction_report.json" });
 */
export async function writeHistoricalOutputs(result: HistoricalResult, paths: HistoricalOutputPaths): Promise<string[]> {
  const written: string[] = [];
  if (paths.jsonl !== undefined) {
    await writePairsJsonl(paths.jsonl, result.records);
    written.push(paths.jsonl);
  }
  if (paths.csv !== undefined) {
    await writePairsCsv(paths.csv, result.records);
    written.push(paths.csv);
  }
  if (paths.images !== undefined) {
    await writeJsonl(paths.images, result.images);
    written.push(paths.images);
  }
  if (paths.pairs !== undefined) {
    await writeJsonl(paths.pairs, result.pairs);
    written.push(paths.pairs);
  }
  if (paths.report !== undefined) {
    await writeJsonAtomic(paths.report, result.report);
    written.push(paths.report);
  }
  return written;
}
