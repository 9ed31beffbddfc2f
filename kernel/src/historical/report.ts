/**
 * `extraction_report.json`: what an extraction found, per project and in total (the statistics
 * seed 003 asks to track, plus everything that was not used and why).
 */
import type { GroupingMode } from "./group.js";
import type { AmbiguousMatch, OrphanFinal } from "./match.js";

/** Which of the two folders a listed file is in. */
export type ProjectRoot = "raw" | "final";

/** Counts shared by a project and the total. */
export interface ReportCounts {
  /** Images under RAW whose names parse. */
  raw_images: number;
  /** Images under FINAL whose names parse. */
  final_images: number;
  /** RAW groups: with_winner + rejected + single + unresolved. */
  groups: number;
  groups_with_winner: number;
  /** RAW groups of two or more images with no FINAL file: written as negative records. */
  groups_rejected: number;
  /** Groups of one image: no choice was made, skipped. */
  groups_single: number;
  /** Groups with several FINAL files (a subset of groups_with_winner). */
  groups_multi_select: number;
  /** Groups a FINAL file points at without a matching stage: neither winners nor rejections. */
  groups_unresolved: number;
  /** Records written (one per winner, one per rejected group). */
  records: number;
  /** Records with a winner (selection decisions). */
  decisions: number;
  /** Preference pairs (winner × loser). */
  pairs: number;
  /** Decisions whose stage is below their group's highest stage. */
  anomalies: number;
  /** Decisions with was_cropped. */
  cropped: number;
  crop_by_mtime: number;
  crop_by_size: number;
  /** Decisions whose pixel sizes could not both be read. */
  crop_size_unknown: number;
  /** Image files whose names do not parse. */
  unparsed: number;
  /** FINAL files that produced no winner. */
  orphans: number;
  /** FINAL files whose RAW folder had to be guessed. */
  ambiguous: number;
  /** Entries that could not be read. */
  unreadable: number;
  /** Files skipped for their extension. */
  ignored_files: number;
  /** Winners per stage (`"2"`, `"1.5"`). */
  winner_stages: Record<string, number>;
  seconds: number;
}

/** A file listed in the report, with why it was not used. */
export interface ReportedFile {
  root: ProjectRoot;
  path: string;
  reason: string;
}

/** One project's section of the report. */
export interface ProjectReport extends ReportCounts {
  project: string;
  raw_dir: string;
  final_dir: string;
  /** Set when the project could not be extracted (batch runs go on with the next one). */
  error?: string;
  unparsed_files: ReportedFile[];
  unreadable_files: ReportedFile[];
  orphan_files: OrphanFinal[];
  ambiguous_files: AmbiguousMatch[];
  /** Skipped files by root and extension. */
  ignored_by_extension: Record<ProjectRoot, Record<string, number>>;
}

/** The whole report. */
export interface ExtractionReport {
  extraction_date: string;
  /** False when the extraction ran with crop detection off (all crop counts are then 0). */
  crop_detection: boolean;
  crop_seconds: number;
  grouping: GroupingMode;
  extensions: string[];
  projects: ProjectReport[];
  /** Projects that failed. */
  failed: number;
  total: ReportCounts;
}

/** A report section with every count at zero. */
export function emptyCounts(): ReportCounts {
  return {
    raw_images: 0,
    final_images: 0,
    groups: 0,
    groups_with_winner: 0,
    groups_rejected: 0,
    groups_single: 0,
    groups_multi_select: 0,
    groups_unresolved: 0,
    records: 0,
    decisions: 0,
    pairs: 0,
    anomalies: 0,
    cropped: 0,
    crop_by_mtime: 0,
    crop_by_size: 0,
    crop_size_unknown: 0,
    unparsed: 0,
    orphans: 0,
    ambiguous: 0,
    unreadable: 0,
    ignored_files: 0,
    winner_stages: {},
    seconds: 0,
  };
}

/** Sums the counts of several projects (stage histograms merged, stages in numeric order). */
export function sumCounts(parts: readonly ReportCounts[]): ReportCounts {
  const total = emptyCounts();
  const stages: Record<string, number> = {};
  for (const part of parts) {
    for (const key of Object.keys(total) as Array<keyof ReportCounts>) {
      if (key === "winner_stages") continue;
      total[key] += part[key];
    }
    for (const [stage, n] of Object.entries(part.winner_stages)) stages[stage] = (stages[stage] ?? 0) + n;
  }
  total.winner_stages = sortStages(stages);
  total.seconds = Math.round(total.seconds * 1000) / 1000;
  return total;
}

/** A stage histogram with keys in numeric order, so reports diff clean. */
export function sortStages(stages: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(stages).sort((a, b) => Number(a) - Number(b))) out[key] = stages[key] ?? 0;
  return out;
}
