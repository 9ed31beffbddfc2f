/** `trainset historical`: winner/loser extraction from RAW and FINAL folders (seed 003). */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { extractHistorical, type HistoricalProject } from "../../historical/extract.js";
import { readProjectPaths } from "../../historical/config.js";
import type { GroupingMode } from "../../historical/group.js";
import type { ExtractionReport, ReportCounts } from "../../historical/report.js";
import { writeHistoricalOutputs, type HistoricalOutputPaths } from "../../historical/write-outputs.js";
import { numberFlag } from "../args.js";
import { println, UsageError, type CliCommand, type CliIo } from "../command.js";
import { withProgressBar } from "../progress-bar.js";

const usage = `Usage: trainset historical --raw DIR --final DIR [--project NAME] [outputs] [options]
       trainset historical --batch --config project_paths.json [outputs] [options]

Extracts selection decisions from past projects: every generated image is in RAW (any nesting),
the kept ones in FINAL (possibly re-organised, possibly cropped). Names must look like
YYYYMMDD_HHMMSS_stage<N>[.<M>][_<suffix>].<ext>. Each RAW group (one timestamp in one folder)
with a FINAL copy gives one record per kept image against the other stages; groups with nothing
kept give a negative record; single-image groups are skipped.

Outputs (each optional; paths are relative to the RAW/FINAL folders unless --absolute):
  --output F        decisions as JSONL (seed Format 2)
  --csv F           decisions as CSV (seed Format 1, Python-repr list cells)
  --pairs F         preference pairs as JSONL: {prompt, chosen, rejected, ...} (TRL reward/DPO)
  --images F        master image table project_images.jsonl (stats every RAW image)
  --report F        extraction_report.json (counts, unparsed/unreadable/orphan/ambiguous files)

Options:
  --project NAME    project name (default: the RAW folder's name)
  --config F        batch config: {"projects":[{"name","raw_dir","final_dir"}]}; folders are
                    relative to the working directory
  --crop-seconds S  FINAL newer than RAW by more than S seconds counts as cropped (default 5)
  --ext LIST        extensions to scan (default png,jpg,jpeg,webp)
  --group-by MODE   folder (default: same timestamp in two RAW folders = two groups) | timestamp
  --date YYYY-MM-DD extraction_date to write (default today, UTC), for reproducible files
  --no-crop         skip crop detection (opens no file: selection only, fastest)
  --absolute        write absolute paths
  --json            print the report as JSON instead of the summary
  --quiet           no progress bar
Exit codes: 0 done (unparsed or unreadable files are reported, not fatal), 1 a project failed,
2 bad usage.

Examples:
  trainset historical --raw archives/mojo1_raw --final mojo1 --project mojo-1 \\
    --output data/training/historical_mojo1.jsonl --pairs data/training/pairs_mojo1.jsonl
  trainset historical --batch --config data/training/project_paths.json \\
    --output data/training/historical_all.jsonl --report data/training/extraction_report.json`;

// Thousands separators by hand: toLocaleString loads ICU data, ~25 ms of a 300 ms run.
const fmt = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const pct = (n: number, of: number): string => (of === 0 ? "-" : `${((100 * n) / of).toFixed(1)}%`);

const COLUMNS: Array<[string, (c: ReportCounts) => string]> = [
  ["raw", (c) => fmt(c.raw_images)],
  ["groups", (c) => fmt(c.groups)],
  ["winner", (c) => fmt(c.groups_with_winner)],
  ["rejected", (c) => fmt(c.groups_rejected)],
  ["single", (c) => fmt(c.groups_single)],
  ["multi", (c) => fmt(c.groups_multi_select)],
  ["anomalies", (c) => `${fmt(c.anomalies)} (${pct(c.anomalies, c.decisions)})`],
  ["cropped", (c) => `${fmt(c.cropped)} (${pct(c.cropped, c.decisions)})`],
  ["pairs", (c) => fmt(c.pairs)],
  ["unparsed", (c) => fmt(c.unparsed)],
  ["orphans", (c) => fmt(c.orphans)],
  ["unreadable", (c) => fmt(c.unreadable)],
  ["s", (c) => c.seconds.toFixed(2)],
];

/** The one-screen summary printed after an extraction. */
export function formatHistoricalSummary(report: ExtractionReport, written: readonly string[]): string {
  const rows: string[][] = [["project", ...COLUMNS.map(([h]) => h)]];
  for (const p of report.projects) rows.push(p.error === undefined ? [p.project, ...COLUMNS.map(([, f]) => f(p))] : [p.project, `FAILED: ${p.error}`]);
  if (report.projects.length > 1) rows.push(["TOTAL", ...COLUMNS.map(([, f]) => f(report.total))]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.filter((r) => r.length > 2).map((r) => (r[i] ?? "").length))) ?? [];
  const lines = rows.map((r) => (r.length === 2 && r[1]?.startsWith("FAILED") === true ? `${r[0]}  ${r[1]}` : r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ")));
  const t = report.total;
  lines.push("");
  const crops = report.crop_detection
    ? `${fmt(t.crop_by_mtime)} cropped by time, ${fmt(t.crop_by_size)} by size${t.crop_size_unknown > 0 ? `, ${fmt(t.crop_size_unknown)} size unknown` : ""}`
    : "crop detection off";
  lines.push(`${fmt(t.decisions)} decisions (${crops}), ${fmt(t.groups_rejected)} rejected groups, ${fmt(t.pairs)} preference pairs.`);
  const notes: string[] = [];
  for (const p of report.projects) {
    const show = <T>(list: readonly T[], what: string, line: (item: T) => string): void => {
      if (list.length === 0) return;
      notes.push(`${p.project}: ${list.length} ${what}:`);
      for (const item of list.slice(0, 3)) notes.push(`  ${line(item)}`);
      if (list.length > 3) notes.push(`  … ${list.length - 3} more in the report`);
    };
    show(p.unreadable_files, "unreadable", (f) => f.reason);
    show(p.unparsed_files, "unparsed names", (f) => `${f.root}/${f.path}: ${f.reason}`);
    show(p.orphan_files, "FINAL files without winner", (f) => `${f.path}: ${f.reason} (${f.detail})`);
    show(p.ambiguous_files, "ambiguous FINAL files", (f) => `${f.final_path}: fits ${f.candidates.map((c) => `"${c}"`).join(" and ")}; used "${f.chosen}"`);
  }
  if (notes.length > 0) lines.push("", ...notes);
  if (written.length > 0) lines.push("", `Wrote ${written.join(", ")}`);
  return lines.join("\n");
}

function projectsFromFlags(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<HistoricalProject[]> | HistoricalProject[] {
  const str = (k: string): string | undefined => (typeof values[k] === "string" ? values[k] : undefined);
  if (values.batch === true) {
    const config = str("config");
    if (config === undefined) throw new UsageError("--batch needs --config project_paths.json");
    for (const flag of ["raw", "final", "project"]) if (str(flag) !== undefined) throw new UsageError(`--${flag} cannot be combined with --batch (the config names the folders)`);
    return readProjectPaths(resolve(io.cwd, config));
  }
  if (str("config") !== undefined) throw new UsageError("--config needs --batch");
  const raw = str("raw");
  const final = str("final");
  if (raw === undefined || final === undefined) throw new UsageError("give --raw DIR and --final DIR, or --batch --config FILE");
  const name = str("project") ?? (resolve(io.cwd, raw).split(/[\\/]/).filter(Boolean).pop() ?? "project");
  return [{ name, rawDir: raw, finalDir: final }];
}

/** The historical command. */
export const historicalCommand: CliCommand = {
  name: "historical",
  summary: "extract winner/loser training data from past projects' RAW and FINAL folders",
  usage,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        raw: { type: "string" },
        final: { type: "string" },
        project: { type: "string" },
        batch: { type: "boolean" },
        config: { type: "string" },
        output: { type: "string" },
        csv: { type: "string" },
        pairs: { type: "string" },
        images: { type: "string" },
        report: { type: "string" },
        "crop-seconds": { type: "string" },
        ext: { type: "string" },
        "group-by": { type: "string" },
        date: { type: "string" },
        absolute: { type: "boolean" },
        "no-crop": { type: "boolean" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
      },
    });
    const cropSeconds = numberFlag("crop-seconds", values["crop-seconds"], { min: 0 });
    const grouping = values["group-by"] ?? "folder";
    if (grouping !== "folder" && grouping !== "timestamp") throw new UsageError(`--group-by must be folder or timestamp, got "${grouping}"`);
    if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) throw new UsageError(`--date must be YYYY-MM-DD, got "${values.date}"`);
    const extensions = values.ext?.split(",").map((e) => e.trim().replace(/^\./, "")).filter((e) => e !== "");
    if (extensions?.length === 0) throw new UsageError("--ext needs at least one extension");
    const projects = await projectsFromFlags(values, io);

    const paths: HistoricalOutputPaths = {};
    const given = new Map<string, string>();
    for (const [key, flag] of [["jsonl", "output"], ["csv", "csv"], ["pairs", "pairs"], ["images", "images"], ["report", "report"]] as const) {
      const text = values[flag];
      if (text === undefined) continue;
      paths[key] = resolve(io.cwd, text);
      given.set(paths[key], text);
    }
    const result = await withProgressBar(io, values.quiet === true || values.json === true, (onProgress) =>
      extractHistorical(
        {
          projects,
          cwd: io.cwd,
          grouping: grouping as GroupingMode,
          continueOnError: projects.length > 1,
          includeImages: paths.images !== undefined,
          includePairs: paths.pairs !== undefined,
          absolutePaths: values.absolute === true,
          detectCrops: values["no-crop"] !== true,
          ...(cropSeconds === undefined ? {} : { cropSeconds }),
          ...(extensions === undefined ? {} : { extensions }),
          ...(values.date === undefined ? {} : { extractionDate: values.date }),
        },
        { signal: io.signal, onProgress },
      ),
    );
    const written = await writeHistoricalOutputs(result, paths);
    if (values.json === true) println(io.stdout, JSON.stringify(result.report, null, 2));
    else println(io.stdout, formatHistoricalSummary(result.report, written.map((w) => given.get(w) ?? w)));
    return result.report.failed > 0 ? 1 : 0;
  },
};
