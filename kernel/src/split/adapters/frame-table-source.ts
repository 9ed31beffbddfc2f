/**
 * endoreg-db's frame-annotation table (CSV or JSON, one row per frame and label) as a split
 * source: rows are first gathered per frame (`frame_id`), a frame's labels are the `label_name`s
 * of its rows with `value` true, and frames are grouped by `video_id` unless told otherwise.
 */
import { dirname, join, resolve } from "node:path";
import {
  FRAME_TABLE_FIELDS,
  readFrameTable,
  writeFrameTable,
  type FrameAnnotationRow,
} from "../../formats/frame-table.js";
import { TrainsetError } from "../../util/errors.js";
import type { SplitRow } from "../group-table.js";
import {
  fieldList,
  groupOf,
  groupPart,
  imageRef,
  requireSomeRows,
  splitPaths,
  type SplitSource,
  type SplitSourceOptions,
} from "./split-source.js";

function checkFields(fields: readonly string[], option: string, input: string): void {
  for (const field of fields) {
    if (!(FRAME_TABLE_FIELDS as readonly string[]).includes(field)) {
      throw new TrainsetError(
        "VALIDATION_ERROR",
        `Cannot split "${input}": ${option} "${field}" is not a column of the frame table (columns: ${FRAME_TABLE_FIELDS.join(", ")})`,
        {
          file: input,
          field,
        },
      );
    }
  }
}

/**
 * Reads a frame-annotation table for splitting, one sample per frame.
 * @example const source = await readFrameTableSource("export/annotations.csv", { groupBy: "video_id" });
 */
export async function readFrameTableSource(
  input: string,
  options: SplitSourceOptions = {},
): Promise<SplitSource> {
  const table = await readFrameTable(input);
  const groupFields = fieldList(options.groupBy ?? "video_id", "--group-by");
  const labelFields = fieldList(options.labels ?? "label_name", "--labels");
  checkFields(groupFields, "--group-by", input);
  checkFields(labelFields, "--labels", input);
  const frameIndex = new Map<number, number>();
  const frames: { rows: FrameAnnotationRow[]; group: string; labels: Set<string> }[] = [];
  table.rows.forEach((row, i) => {
    const where = { text: `row ${i + 1} (frame ${row.frame_id})` };
    const record = row as unknown as Record<string, unknown>;
    const group = groupOf(record, groupFields, input, where);
    let f = frameIndex.get(row.frame_id);
    if (f === undefined) {
      f = frames.length;
      frameIndex.set(row.frame_id, f);
      frames.push({ rows: [], group, labels: new Set() });
    }
    const frame = frames[f] as (typeof frames)[number];
    if (frame.group !== group) {
      throw new TrainsetError(
        "VALIDATION_ERROR",
        `Cannot split "${input}": frame ${row.frame_id} has rows in two groups ("${frame.group}" and "${group}" by ${groupFields.join(",")})`,
        { file: input, field: groupFields.join(",") },
      );
    }
    frame.rows.push(row);
    if (row.value) {
      const name = labelFields.map((field) => groupPart(record[field]) ?? "").join("/");
      if (name !== "") frame.labels.add(name);
    }
  });
  const rows: SplitRow[] = frames.map((f) => ({ group: f.group, labels: [...f.labels].sort() }));
  requireSomeRows(rows, input, "frames");
  const imageRoot = resolve(options.images ?? join(dirname(input), "frames"));
  return {
    format: "frame-table",
    input,
    groupBy: groupFields.join(","),
    labelSource: `${labelFields.join(",")} where value is true`,
    unit: "frames",
    rows,
    images: (i) => {
      const name = frames[i]?.rows[0]?.frame_relative_path ?? "";
      return name === "" ? [] : [imageRef(imageRoot, name)];
    },
    async write(outDir, splits, assignments) {
      const buckets: FrameAnnotationRow[][] = splits.map(() => []);
      const frameOfRow = new Map<FrameAnnotationRow, number>();
      frames.forEach((f, i) => f.rows.forEach((r) => frameOfRow.set(r, i)));
      for (const row of table.rows) buckets[assignments[frameOfRow.get(row) ?? 0] ?? 0]?.push(row);
      const paths = splitPaths(outDir, splits, table.format);
      for (let k = 0; k < splits.length; k++)
        await writeFrameTable(paths[k] ?? "", buckets[k] ?? [], { format: table.format });
      return paths;
    },
  };
}
