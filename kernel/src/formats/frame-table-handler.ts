/** `trainset validate` / `stats` support for endoreg-db frame-annotation tables. */
import type { DatasetStats, FormatHandler } from "./format-handler.js";
import { FRAME_TABLE_FIELDS, readFrameTable } from "./frame-table.js";

const CSV_HEADER_START = FRAME_TABLE_FIELDS.slice(0, 3).join(",");

/** Handler for frame-annotation tables (CSV or JSON). */
export const frameTableHandler: FormatHandler = {
  format: "frame-table",
  description: "endoreg-db frame-annotation table (17 columns, CSV or JSON)",
  detect(path, { isDirectory, head }) {
    if (isDirectory) return false;
    const text = head.replace(/^\ufeff/, "").trimStart();
    if (/\.csv$/i.test(path)) return text.startsWith(CSV_HEADER_START) || (text.includes("annotation_id") && text.includes("frame_relative_path"));
    if (/\.json$/i.test(path)) return text.startsWith("[") && text.includes('"frame_relative_path"') && text.includes('"annotation_id"');
    return false;
  },
  async validate(path, options = {}) {
    return (await readFrameTable(path, { mode: options.mode ?? "collect", ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }) })).issues;
  },
  async stats(path) {
    const { rows } = await readFrameTable(path, { mode: "collect" });
    const frames = new Set<number>();
    const videos = new Set<number>();
    const labels = new Set<string>();
    const perLabel: Record<string, number> = {};
    const sources: Record<string, number> = {};
    let negatives = 0;
    for (const row of rows) {
      frames.add(row.frame_id);
      videos.add(row.video_id);
      labels.add(row.label_name);
      if (row.value) perLabel[row.label_name] = (perLabel[row.label_name] ?? 0) + 1;
      else negatives++;
      const source = row.information_source_name ?? `source ${row.information_source_id ?? "none"}`;
      sources[source] = (sources[source] ?? 0) + 1;
    }
    for (const label of labels) perLabel[label] ??= 0;
    const stats: DatasetStats = {
      format: "frame-table",
      path,
      images: frames.size,
      records: rows.length,
      recordsLabel: "annotation rows",
      perLabel,
      sources,
      groups: videos.size,
      extra: { videos: videos.size, labels: labels.size, "negative rows": negatives },
    };
    return stats;
  },
};
