/** `trainset validate` / `stats` support for lx-ai legacy multilabel JSONL. */
import type { FormatHandler } from "./format-handler.js";
import { LX_AI_JSONL_LABELS, legacyGroupOf, readLegacyJsonl } from "./legacy-jsonl.js";

/** Handler for lx-ai's legacy JSONL (`labels, old_examination_id, old_id, filename`). */
export const legacyJsonlHandler: FormatHandler = {
  format: "legacy-jsonl",
  description: "lx-ai legacy multilabel JSONL (labels, old_examination_id, old_id, filename)",
  detect(path, { isDirectory, head }) {
    if (isDirectory || !/\.jsonl$/i.test(path)) return false;
    const first = head.replace(/^\ufeff/, "").split("\n").find((l) => l.trim() !== "") ?? "";
    return first.includes('"old_id"') && first.includes('"filename"');
  },
  async validate(path, options = {}) {
    return (await readLegacyJsonl(path, { mode: options.mode ?? "collect", ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }) })).issues;
  },
  async stats(path) {
    const { records } = await readLegacyJsonl(path, { mode: "collect" });
    const images = new Set<string>();
    const groups = new Set<string>();
    const perLabel: Record<string, number> = {};
    let unknown = 0;
    let noPositives = 0;
    const known = new Set<string>(LX_AI_JSONL_LABELS);
    const outside = new Set<string>();
    for (const { record } of records) {
      images.add(String(record.old_id));
      groups.add(legacyGroupOf(record));
      if (record.labels === null) {
        unknown++;
        continue;
      }
      if (!record.labels.some((l) => known.has(l))) noPositives++;
      for (const label of new Set(record.labels)) {
        perLabel[label] = (perLabel[label] ?? 0) + 1;
        if (!known.has(label)) outside.add(label);
      }
    }
    return {
      format: "legacy-jsonl",
      path,
      images: images.size,
      records: records.length,
      recordsLabel: "lines",
      perLabel,
      groups: groups.size,
      extra: {
        examinations: groups.size,
        "unlabelled (labels: null)": unknown,
        "no positive among lx-ai's 9 labels": noPositives,
        "label names outside lx-ai's 9": outside.size,
      },
    };
  },
};
