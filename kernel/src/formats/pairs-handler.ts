/** `trainset validate` / `stats` support for historical preference records (seed 003 Formats 1 and 2). */
import type { DatasetStats, FormatHandler } from "./format-handler.js";
import { readPairs } from "./pairs.js";

function firstLine(head: string): string {
  const text = head.replace(/^\ufeff/, "").trimStart();
  const nl = text.indexOf("\n");
  return (nl === -1 ? text : text.slice(0, nl)).trim();
}

/** Handler for preference records: JSONL (Format 2) or the seed's CSV (Format 1). */
export const pairsHandler: FormatHandler = {
  format: "pairs",
  description: "historical preference records: chosen image vs. the rest of its group (JSONL or seed CSV)",
  detect(path, { isDirectory, head }) {
    if (isDirectory) return false;
    const line = firstLine(head);
    if (/\.csv$/i.test(path)) {
      const columns = line.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
      return columns.includes("chosen_path") && columns.includes("neg_paths");
    }
    if (!/\.jsonl?$/i.test(path) || !line.startsWith("{")) return false;
    try {
      const value = JSON.parse(line) as unknown;
      return typeof value === "object" && value !== null && "chosen_path" in value && "neg_paths" in value;
    } catch {
      return false;
    }
  },
  async validate(path, options = {}) {
    return (await readPairs(path, { mode: options.mode ?? "collect", ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }) })).issues;
  },
  async stats(path) {
    const { records, format } = await readPairs(path, { mode: "collect" });
    const images = new Set<string>();
    const groups = new Set<string>();
    const projects = new Set<string>();
    const perLabel: Record<string, number> = {};
    let pairs = 0;
    let rejected = 0;
    let multi = 0;
    let anomalies = 0;
    let cropped = 0;
    for (const r of records) {
      projects.add(r.project);
      groups.add(`${r.project}\u0000${r.group_dir ?? ""}\u0000${r.timestamp}`);
      if (r.chosen_path !== null) images.add(r.chosen_path);
      for (const p of r.neg_paths) images.add(p);
      if (r.chosen_stage === null) {
        rejected++;
        continue;
      }
      const label = `stage ${r.chosen_stage}`;
      perLabel[label] = (perLabel[label] ?? 0) + 1;
      pairs += r.neg_paths.length;
      if (r.multi_select === true) multi++;
      if (r.anomaly ?? (r.neg_stages.length > 0 && r.chosen_stage < Math.max(...r.neg_stages))) anomalies++;
      if (r.was_cropped) cropped++;
    }
    const stats: DatasetStats = {
      format: "pairs",
      path,
      images: images.size,
      records: records.length,
      recordsLabel: "decisions",
      perLabel,
      groups: groups.size,
      extra: { file: format, projects: projects.size, "preference pairs": pairs, rejected, "multi-select": multi, anomalies, cropped },
    };
    return stats;
  },
};
