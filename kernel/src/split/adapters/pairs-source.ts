/**
 * Preference records (seed 003) as a split source: one sample per record, grouped by project and
 * timestamp (one selection decision), stratified by project and chosen stage by default.
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import {
  readPairs,
  writePairsCsv,
  writePairsJsonl,
  type PairsRecord,
} from "../../formats/pairs.js";
import type { SplitRow } from "../group-table.js";
import {
  fieldList,
  groupOf,
  labelsOf,
  requireSomeRows,
  splitPaths,
  type SplitImageRef,
  type SplitSource,
  type SplitSourceOptions,
} from "./split-source.js";

/**
 * Reads a pairs file (JSONL or the seed's CSV) for splitting.
 * @example const source = await readPairsSource("historical_mojo1.jsonl");
 */
export async function readPairsSource(
  input: string,
  options: SplitSourceOptions = {},
): Promise<SplitSource> {
  const { format, records } = await readPairs(input);
  const groupFields = fieldList(options.groupBy ?? "project,timestamp", "--group-by");
  const labelFields = fieldList(options.labels ?? "project,chosen_stage", "--labels");
  const rows: SplitRow[] = records.map((record, i) => {
    const where = { text: `record ${i + 1}` };
    const fields = record as unknown as Record<string, unknown>;
    return {
      group: groupOf(fields, groupFields, input, where),
      labels: labelsOf(fields, labelFields, input, where),
    };
  });
  requireSomeRows(rows, input, "records");
  const fallbackRoot = resolve(options.images ?? dirname(input));
  const refs = (record: PairsRecord): SplitImageRef[] => {
    const root =
      options.images === undefined && record.metadata?.raw_dir !== undefined
        ? resolve(dirname(input), record.metadata.raw_dir)
        : fallbackRoot;
    const names = [
      ...(record.chosen_path === null ? [] : [record.chosen_path]),
      ...record.neg_paths,
    ];
    return names.map((name) => ({ name, path: isAbsolute(name) ? name : join(root, name) }));
  };
  return {
    format: "pairs",
    input,
    groupBy: groupFields.join(","),
    labelSource: labelFields.join(","),
    unit: "records",
    rows,
    images: (i) => {
      const record = records[i];
      return record === undefined ? [] : refs(record);
    },
    async write(outDir, splits, assignments) {
      const buckets: PairsRecord[][] = splits.map(() => []);
      records.forEach((record, i) => buckets[assignments[i] ?? 0]?.push(record));
      const paths = splitPaths(outDir, splits, format);
      for (let k = 0; k < splits.length; k++) {
        if (format === "csv") await writePairsCsv(paths[k] ?? "", buckets[k] ?? []);
        else await writePairsJsonl(paths[k] ?? "", buckets[k] ?? []);
      }
      return paths;
    },
  };
}
