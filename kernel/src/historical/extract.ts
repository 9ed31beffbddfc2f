/**
 * The extraction of seed 003 from end to end: scan RAW and FINAL, group, match winners, detect
 * crops, build records and the report. Linear in the number of files; only winners' headers are
 * read (plus a stat of every RAW image when the master table is asked for).
 */
import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { PairsRecord } from "../formats/pairs.js";
import { errorMessage, ioError, isTrainsetError } from "../util/errors.js";
import { throwIfAborted, type RunControl } from "../util/run-control.js";
import { DEFAULT_CROP_SECONDS } from "./crop.js";
import { groupRawImages, type GroupingMode } from "./group.js";
import { probeImageFileSync, type ImageProbe } from "../util/image-size.js";
import { matchFinalImages } from "./match.js";
import { DEFAULT_IMAGE_EXTENSIONS } from "./parse-name.js";
import { groupImageRows, groupRecords, pairsOfRecord, type PreferencePair, type ProjectImageRecord, type RecordContext } from "./records.js";
import { emptyCounts, sortStages, sumCounts, type ExtractionReport, type ProjectReport, type ReportedFile } from "./report.js";
import { scanImageTree, type ScannedImage } from "./scan.js";

/** One project: its RAW folder (every generated image) and FINAL folder (the kept ones). */
export interface HistoricalProject {
  name: string;
  rawDir: string;
  finalDir: string;
}

/** Options for {@link extractHistorical}. */
export interface HistoricalOptions {
  projects: readonly HistoricalProject[];
  /** FINAL newer than RAW by more than this many seconds counts as cropped (default 5). */
  cropSeconds?: number;
  /** Extensions to scan (default png, jpg, jpeg, webp). */
  extensions?: readonly string[];
  /** `folder` (default): a timestamp in two RAW subfolders is two groups. `timestamp`: one group. */
  grouping?: GroupingMode;
  /** Write absolute paths instead of paths relative to the RAW/FINAL folders (default false). */
  absolutePaths?: boolean;
  /** Build the preference pairs (default true; their count is in the report either way). */
  includePairs?: boolean;
  /**
   * Read the mtime and pixel size of every winner's RAW and FINAL file to detect crops (default
   * true). Off: no file is opened, `crop_by_*` and sizes are null and `was_cropped` is false —
   * a quick selection-only pass, e.g. over a slow network share.
   */
  detectCrops?: boolean;
  /** Build the master image table, which stats every RAW image (default false). */
  includeImages?: boolean;
  /** `YYYY-MM-DD` written as `metadata.extraction_date` (default: today, UTC). */
  extractionDate?: string;
  /** Base for relative folders (default `process.cwd()`). */
  cwd?: string;
  /** Record a failing project in the report and go on with the next (default false: throw). */
  continueOnError?: boolean;
}

/** Everything an extraction produced, in a deterministic order. */
export interface HistoricalResult {
  records: PairsRecord[];
  /** Preference pairs; empty when `includePairs` is false. */
  pairs: PreferencePair[];
  /** The master image table; empty unless `includeImages`. */
  images: ProjectImageRecord[];
  report: ExtractionReport;
}

const PROBE_BATCH = 2048;

interface ProbeJob {
  images: readonly ScannedImage[];
  /** Folder the images' `rel` paths start from. */
  root: string;
  probes: Map<ScannedImage, ImageProbe>;
  phase: string;
  onError: (image: ScannedImage, error: string) => void;
  /** Only stat (master table); no header read. */
  statOnly?: boolean;
}

// Synchronous reads in batches: for small files one thread-pool round trip per call costs more
// than the read itself; the event loop still turns (progress, cancellation) between batches.
async function probeAll(job: ProbeJob, control: RunControl): Promise<void> {
  const { images, root, probes, phase, statOnly = false } = job;
  const prefix = `${root}/`;
  control.onProgress?.({ phase, done: 0, total: images.length, unit: "files" });
  for (let i = 0; i < images.length; i++) {
    const image = images[i] as ScannedImage;
    const path = prefix + image.rel;
    let probe: ImageProbe;
    if (statOnly) {
      try {
        const stat = statSync(path);
        probe = { mtimeMs: stat.mtimeMs, bytes: stat.size, size: null, error: null };
      } catch (error) {
        probe = { mtimeMs: null, bytes: null, size: null, error: ioError("stat", path, error).message };
      }
    } else probe = probeImageFileSync(path);
    probes.set(image, probe);
    if (probe.error !== null) job.onError(image, probe.error);
    if ((i + 1) % PROBE_BATCH === 0) {
      control.onProgress?.({ phase, done: i + 1, total: images.length, unit: "files" });
      await nextTurn();
      throwIfAborted(control.signal, "extract historical training data");
    }
  }
  control.onProgress?.({ phase, done: images.length, total: images.length, unit: "files" });
}

interface ProjectOutput {
  records: PairsRecord[];
  pairs: PreferencePair[];
  images: ProjectImageRecord[];
  report: ProjectReport;
}

function emptyProjectReport(project: HistoricalProject, rawDir: string, finalDir: string): ProjectReport {
  return {
    project: project.name,
    raw_dir: rawDir,
    final_dir: finalDir,
    ...emptyCounts(),
    unparsed_files: [],
    unreadable_files: [],
    orphan_files: [],
    ambiguous_files: [],
    ignored_by_extension: { raw: {}, final: {} },
  };
}

async function extractProject(project: HistoricalProject, options: HistoricalOptions, control: RunControl, date: string): Promise<ProjectOutput> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const rawRoot = resolve(cwd, project.rawDir);
  const finalRoot = resolve(cwd, project.finalDir);
  const absolute = options.absolutePaths ?? false;
  const rawLabel = absolute || isAbsolute(project.rawDir) ? rawRoot : project.rawDir;
  const finalLabel = absolute || isAbsolute(project.finalDir) ? finalRoot : project.finalDir;
  const report = emptyProjectReport(project, rawLabel, finalLabel);
  const extensions = options.extensions ?? DEFAULT_IMAGE_EXTENSIONS;
  const tag = project.name;

  const raw = await scanImageTree(rawRoot, { extensions, label: `RAW folder of ${tag}`, phase: `${tag}: scan RAW`, ...control });
  const final = await scanImageTree(finalRoot, { extensions, label: `FINAL folder of ${tag}`, phase: `${tag}: scan FINAL`, ...control });
  const index = groupRawImages(raw.images, options.grouping ?? "folder");
  const matched = matchFinalImages(final.images, index);

  const unreadable: ReportedFile[] = [
    ...raw.unreadable.map((u) => ({ root: "raw" as const, path: u.path, reason: u.error })),
    ...final.unreadable.map((u) => ({ root: "final" as const, path: u.path, reason: u.error })),
  ];
  const probes = new Map<ScannedImage, ImageProbe>();
  const rawTwins: ScannedImage[] = [];
  const finals: ScannedImage[] = [];
  // Timestamp order: files made one after another sit close together on disk and in the kernel's
  // caches, which makes these reads measurably faster than matching order.
  for (const group of index.groups) {
    for (const w of matched.winners.get(group) ?? []) {
      rawTwins.push(w.raw);
      finals.push(w.final);
    }
  }
  const noteError = (root: "raw" | "final") => (image: ScannedImage, error: string): void => {
    unreadable.push({ root, path: image.rel, reason: error });
  };
  const phase = `${tag}: read headers`;
  const detectCrops = options.detectCrops ?? true;
  if (detectCrops) {
    await probeAll({ images: rawTwins, root: rawRoot, probes, phase: `${phase} (RAW)`, onError: noteError("raw") }, control);
    await probeAll({ images: finals, root: finalRoot, probes, phase: `${phase} (FINAL)`, onError: noteError("final") }, control);
  }
  if (options.includeImages === true) {
    const rest = raw.images.filter((image) => !probes.has(image));
    await probeAll({ images: rest, root: rawRoot, probes, phase: `${tag}: stat RAW`, onError: noteError("raw"), statOnly: true }, control);
  }

  const ctx: RecordContext = {
    project: project.name,
    rawRoot,
    finalRoot,
    metadata: { raw_dir: rawLabel, final_dir: finalLabel, extraction_date: date },
    absolute,
    cropSeconds: options.cropSeconds ?? DEFAULT_CROP_SECONDS,
  };
  const records: PairsRecord[] = [];
  const images: ProjectImageRecord[] = [];
  const stages: Record<string, number> = {};
  for (const group of index.groups) {
    const winners = matched.winners.get(group);
    if (options.includeImages === true) images.push(...groupImageRows(group, winners, probes, ctx));
    if (group.members.length < 2) {
      report.groups_single++;
      continue;
    }
    if (winners === undefined && matched.unresolved.has(group)) {
      report.groups_unresolved++;
      continue;
    }
    if (winners === undefined) report.groups_rejected++;
    else {
      report.groups_with_winner++;
      if (winners.length > 1) report.groups_multi_select++;
    }
    for (const record of groupRecords(group, winners, probes, ctx)) {
      records.push(record);
      if (record.rejected === true) continue;
      report.decisions++;
      const stage = String(record.chosen_stage);
      stages[stage] = (stages[stage] ?? 0) + 1;
      if (record.anomaly === true) report.anomalies++;
      if (record.was_cropped) report.cropped++;
      if (record.crop_by_mtime === true) report.crop_by_mtime++;
      if (record.crop_by_size === true) report.crop_by_size++;
      if (detectCrops && record.crop_by_size === null) report.crop_size_unknown++;
    }
  }
  const pairs = options.includePairs === false ? [] : records.flatMap(pairsOfRecord);

  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  report.raw_images = raw.images.length;
  report.final_images = final.images.length;
  report.groups = index.groups.length;
  report.records = records.length;
  report.pairs = records.reduce((n, r) => (r.rejected === true ? n : n + r.neg_paths.length), 0);
  report.winner_stages = sortStages(stages);
  report.unparsed_files = [
    ...raw.unparsed.map((u) => ({ root: "raw" as const, path: u.path, reason: u.reason })).sort(byPath),
    ...final.unparsed.map((u) => ({ root: "final" as const, path: u.path, reason: u.reason })).sort(byPath),
  ];
  report.unparsed = report.unparsed_files.length;
  report.unreadable_files = unreadable.sort((a, b) => (a.root === b.root ? byPath(a, b) : a.root === "raw" ? -1 : 1));
  report.unreadable = unreadable.length;
  report.orphan_files = matched.orphans;
  report.orphans = matched.orphans.length;
  report.ambiguous_files = matched.ambiguous;
  report.ambiguous = matched.ambiguous.length;
  report.ignored_by_extension = { raw: sortKeys(raw.ignored), final: sortKeys(final.ignored) };
  report.ignored_files = [...Object.values(raw.ignored), ...Object.values(final.ignored)].reduce((a, b) => a + b, 0);
  report.seconds = Math.round(performance.now() - started) / 1000;
  return { records, pairs, images, report };
}

function sortKeys(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function checkOptions(options: HistoricalOptions): void {
  if (options.projects.length === 0) throw new RangeError("Cannot extract historical training data: no projects were given");
  const names = new Set<string>();
  for (const p of options.projects) {
    if (p.name.trim() === "") throw new RangeError("Cannot extract historical training data: a project has an empty name");
    if (names.has(p.name)) throw new RangeError(`Cannot extract historical training data: project "${p.name}" is listed twice`);
    names.add(p.name);
  }
  const seconds = options.cropSeconds ?? DEFAULT_CROP_SECONDS;
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`cropSeconds must be a number ≥ 0, got ${seconds}`);
  if (options.extractionDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.extractionDate)) {
    throw new RangeError(`extractionDate must be YYYY-MM-DD, got "${options.extractionDate}"`);
  }
}

/**
 * Extracts selection decisions from historical projects (seed 003): for every RAW group, the
 * FINAL file's RAW twin against the other stages, rejected groups as negatives, crop signals,
 * preference pairs and a report. Output order is deterministic.
 * @example
 * const { records, pairs, report } = await extractHistorical(
 *   { projects: [{ name: "mojo-1", rawDir: "archives/mojo1_raw", finalDir: "mojo1" }] },
 *   { onProgress: (e) => console.log(e.phase, e.done) },
 * );
 */
export async function extractHistorical(options: HistoricalOptions, control: RunControl = {}): Promise<HistoricalResult> {
  checkOptions(options);
  const date = options.extractionDate ?? new Date().toISOString().slice(0, 10);
  const outputs: ProjectOutput[] = [];
  for (const project of options.projects) {
    throwIfAborted(control.signal, "extract historical training data");
    try {
      outputs.push(await extractProject(project, options, control, date));
    } catch (error) {
      if (isTrainsetError(error, "ABORTED") || options.continueOnError !== true) throw error;
      const report = emptyProjectReport(project, project.rawDir, project.finalDir);
      report.error = errorMessage(error);
      outputs.push({ records: [], pairs: [], images: [], report });
    }
  }
  const projects = outputs.map((o) => o.report);
  return {
    records: outputs.flatMap((o) => o.records),
    pairs: outputs.flatMap((o) => o.pairs),
    images: outputs.flatMap((o) => o.images),
    report: {
      extraction_date: date,
      crop_detection: options.detectCrops ?? true,
      crop_seconds: options.cropSeconds ?? DEFAULT_CROP_SECONDS,
      grouping: options.grouping ?? "folder",
      extensions: [...(options.extensions ?? DEFAULT_IMAGE_EXTENSIONS)],
      projects,
      failed: projects.filter((p) => p.error !== undefined).length,
      total: sumCounts(projects),
    },
  };
}

