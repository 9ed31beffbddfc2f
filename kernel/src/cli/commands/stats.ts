/** `trainset stats <file-or-dir>`: counts per dataset, as text or JSON. */
import { parseArgs } from "node:util";
import { discoverDatasets } from "../../formats/discover.js";
import type { DatasetFormat, DatasetStats } from "../../formats/format-handler.js";
import { detectFormat } from "../../formats/registry.js";
import { TrainsetError } from "../../util/errors.js";
import { requirePositionals } from "../args.js";
import { println, type CliCommand } from "../command.js";

const usage = `Usage: trainset stats <file-or-dir> [--format F] [--json]

Counts images, annotations or rows, categories/labels with their positives, annotation
sources, the verified share and groups (examinations, videos, projects).

Options:
  --format F   skip detection: coco | run-record | frame-table | legacy-jsonl | pairs
  --json       print {datasets:[...stats]} as JSON`;

/** Renders one dataset's stats as aligned text. */
export function formatStats(stats: DatasetStats): string {
  const lines = [`${stats.path} (${stats.format})`];
  const row = (name: string, value: string | number): void => {
    lines.push(`  ${name.padEnd(34)} ${value}`);
  };
  if (stats.images !== undefined) row("images", stats.images);
  if (stats.records !== undefined) row(stats.recordsLabel ?? "records", stats.records);
  if (stats.groups !== undefined) row("groups", stats.groups);
  if (stats.verifiedShare !== undefined) row("verified", `${(stats.verifiedShare * 100).toFixed(1)} %`);
  for (const [name, value] of Object.entries(stats.extra ?? {})) row(name, value);
  const table = (title: string, counts: Record<string, number> | undefined): void => {
    if (counts === undefined || Object.keys(counts).length === 0) return;
    lines.push(`  ${title}:`);
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const width = Math.min(40, Math.max(...entries.map(([k]) => k.length)));
    for (const [name, count] of entries) lines.push(`    ${name.padEnd(width)} ${String(count).padStart(8)}`);
  };
  table("per label / category (positives)", stats.perLabel);
  table("per source", stats.sources);
  return lines.join("\n");
}

/** The stats command. */
export const statsCommand: CliCommand = {
  name: "stats",
  summary: "count images, annotations, labels, sources and groups of datasets",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { format: { type: "string" }, json: { type: "boolean" } } });
    const [target] = requirePositionals(positionals, 1, "the file or folder to describe") as [string];
    const datasets = values.format !== undefined ? [{ path: target, handler: await detectFormat(target, values.format as DatasetFormat) }] : await discoverDatasets(target);
    if (datasets.length === 0) throw new TrainsetError("UNSUPPORTED_FORMAT", `Cannot describe "${target}": no dataset trainset recognises is there`, { file: target });
    const all: DatasetStats[] = [];
    for (const { path, handler } of datasets) all.push(await handler.stats(path, { signal: io.signal }));
    if (values.json === true) println(io.stdout, JSON.stringify({ datasets: all }, null, 2));
    else println(io.stdout, all.map(formatStats).join("\n\n"));
    return 0;
  },
};
