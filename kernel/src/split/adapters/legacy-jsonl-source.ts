/** lx-ai's legacy multilabel JSONL as a split source: one image per line, grouped by examination. */
import { dirname, resolve } from "node:path";
import {
  legacyGroupOf,
  readLegacyJsonl,
  writeLegacyJsonl,
  type LegacyRecord,
} from "../../formats/legacy-jsonl.js";
import type { SplitRow } from "../group-table.js";
import {
  fieldList,
  groupOf,
  labelsOf,
  imageRef,
  requireSomeRows,
  splitPaths,
  type SplitSource,
  type SplitSourceOptions,
} from "./split-source.js";

/** The default group field; a null value makes the image its own group `no_exam_<old_id>`, as lx-ai does. */
export const LEGACY_GROUP_FIELD = "old_examination_id";

/**
 * Reads a legacy JSONL file for splitting (strict: a broken line throws with its line number).
 * @example const source = await readLegacyJsonlSource("legacy_img_dicts.jsonl");
 */
export async function readLegacyJsonlSource(
  input: string,
  options: SplitSourceOptions = {},
): Promise<SplitSource> {
  const { records } = await readLegacyJsonl(input);
  const groupFields = fieldList(options.groupBy ?? LEGACY_GROUP_FIELD, "--group-by");
  const labelFields = fieldList(options.labels ?? "labels", "--labels");
  const lxAiGroups = groupFields.length === 1 && groupFields[0] === LEGACY_GROUP_FIELD;
  const rows: SplitRow[] = records.map(({ record, line }) => ({
    group: lxAiGroups
      ? legacyGroupOf(record)
      : groupOf(record, groupFields, input, { text: `line ${line}`, line }),
    labels: labelsOf(record, labelFields, input, { text: `line ${line}`, line }),
  }));
  requireSomeRows(rows, input, "records");
  const imageRoot = resolve(options.images ?? dirname(input));
  return {
    format: "legacy-jsonl",
    input,
    groupBy: groupFields.join(","),
    labelSource: labelFields.join(","),
    unit: "images",
    rows,
    images: (i) => {
      const name = records[i]?.record.filename ?? "";
      return [imageRef(imageRoot, name)];
    },
    async write(outDir, splits, assignments) {
      const buckets: LegacyRecord[][] = splits.map(() => []);
      records.forEach(({ record }, i) => buckets[assignments[i] ?? 0]?.push(record));
      const paths = splitPaths(outDir, splits, "jsonl");
      for (let k = 0; k < splits.length; k++)
        await writeLegacyJsonl(paths[k] ?? "", buckets[k] ?? []);
      return paths;
    },
  };
}
