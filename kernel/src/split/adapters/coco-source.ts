/**
 * A COCO file as a split source: one sample per image, labels = the categories present on it,
 * group = an image field (default `id`, i.e. every image alone) or a mapping file. Each split file
 * keeps only its images and their annotations, with categories, info and licenses intact.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { readCoco, writeCoco, type CocoDataset, type CocoId } from "../../formats/coco.js";
import { parseCsv } from "../../util/csv.js";
import { ioError, TrainsetError } from "../../util/errors.js";
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

/** `1` and `"1"` are different COCO ids, so keys carry the type. */
function idKey(id: CocoId): string {
  return typeof id === "number" ? `n:${id}` : `s:${id}`;
}

/**
 * Reads a group mapping: a JSON object `{ "<image id or file_name>": "<group>" }`, or a CSV with a
 * `group` column and an `image_id`, `id` or `file_name` column.
 */
async function readGroupMap(path: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw ioError("read group map", path, error);
  }
  const map = new Map<string, string>();
  const bad = (what: string): TrainsetError =>
    new TrainsetError("VALIDATION_ERROR", `Cannot read group map "${path}": ${what}`, {
      file: path,
    });
  if (text.trimStart().startsWith("{")) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new TrainsetError(
        "PARSE_ERROR",
        `Cannot read group map "${path}": not valid JSON (${error instanceof Error ? error.message : String(error)})`,
        { file: path, cause: error },
      );
    }
    for (const [key, group] of Object.entries(value as Record<string, unknown>)) {
      const g = groupPart(group);
      if (g === undefined)
        throw bad(`the group of "${key}" must be a non-empty string or a number`);
      map.set(key, g);
    }
    return map;
  }
  const records = parseCsv(text, path);
  const header = records[0]?.fields ?? [];
  const groupCol = header.indexOf("group");
  const keyCol =
    ["image_id", "id", "file_name"].map((c) => header.indexOf(c)).find((i) => i >= 0) ?? -1;
  if (groupCol < 0 || keyCol < 0)
    throw bad(
      `the CSV header must name a "group" column and an "image_id", "id" or "file_name" column`,
    );
  for (const record of records.slice(1)) {
    const key = record.fields[keyCol] ?? "";
    const group = record.fields[groupCol] ?? "";
    if (key === "" && group === "") continue;
    if (group === "") throw bad(`line ${record.line} has an empty group`);
    map.set(key, group);
  }
  return map;
}

/**
 * Reads a COCO file for splitting.
 * @example const source = await readCocoSource("dataset.json", { groupMap: "groups.csv" });
 */
export async function readCocoSource(
  input: string,
  options: SplitSourceOptions = {},
): Promise<SplitSource> {
  const coco = await readCoco(input);
  const labelField = options.labels ?? "name";
  const categoryLabel = new Map<string, string>();
  for (const category of coco.categories) {
    const name = groupPart((category as Record<string, unknown>)[labelField]);
    if (name !== undefined) categoryLabel.set(idKey(category.id), name);
  }
  if (categoryLabel.size === 0 && coco.categories.length > 0) {
    throw new TrainsetError(
      "VALIDATION_ERROR",
      `Cannot split "${input}": no category has a "${labelField}" field to use as label (--labels names a category field)`,
      {
        file: input,
        field: labelField,
      },
    );
  }
  const labelsOfImage = new Map<string, Set<string>>();
  for (const annotation of coco.annotations) {
    const name = categoryLabel.get(idKey(annotation.category_id));
    if (name === undefined) continue;
    const key = idKey(annotation.image_id);
    let set = labelsOfImage.get(key);
    if (set === undefined) labelsOfImage.set(key, (set = new Set()));
    set.add(name);
  }
  let groupBy: string;
  let groupAt: (i: number) => string;
  if (options.groupMap !== undefined) {
    const map = await readGroupMap(options.groupMap);
    groupBy = `group map ${options.groupMap}`;
    groupAt = (i) => {
      const image = coco.images[i];
      const group =
        image === undefined ? undefined : (map.get(String(image.id)) ?? map.get(image.file_name));
      if (group === undefined) {
        throw new TrainsetError(
          "VALIDATION_ERROR",
          `Cannot split "${input}": image ${JSON.stringify(image?.id)} ("${image?.file_name ?? ""}") is not in the group map "${options.groupMap ?? ""}"`,
          {
            file: input,
            field: `images[${i}]`,
          },
        );
      }
      return group;
    };
  } else {
    const fields = fieldList(options.groupBy ?? "id", "--group-by");
    groupBy = fields.join(",");
    groupAt = (i) =>
      groupOf(coco.images[i] as unknown as Record<string, unknown>, fields, input, {
        text: `image ${i} (id ${JSON.stringify(coco.images[i]?.id)})`,
      });
  }
  const rows: SplitRow[] = coco.images.map((image, i) => ({
    group: groupAt(i),
    labels: [...(labelsOfImage.get(idKey(image.id)) ?? [])].sort(),
  }));
  requireSomeRows(rows, input, "images");
  const imageRoot = resolve(options.images ?? dirname(input));
  return {
    format: "coco",
    input,
    groupBy,
    labelSource: labelField === "name" ? "categories" : `categories' ${labelField}`,
    unit: "images",
    rows,
    images: (i) => {
      const name = coco.images[i]?.file_name ?? "";
      return [imageRef(imageRoot, name)];
    },
    async write(outDir, splits, assignments) {
      const splitOfImage = new Map<string, number>();
      coco.images.forEach((image, i) => splitOfImage.set(idKey(image.id), assignments[i] ?? 0));
      const paths = splitPaths(outDir, splits, "json");
      for (let k = 0; k < splits.length; k++) {
        // Same top-level keys in the same order as the input; only images and annotations shrink.
        const part: Record<string, unknown> = {};
        for (const key of Object.keys(coco)) {
          if (key === "images") part[key] = coco.images.filter((_, i) => assignments[i] === k);
          else if (key === "annotations")
            part[key] = coco.annotations.filter((a) => splitOfImage.get(idKey(a.image_id)) === k);
          else part[key] = coco[key];
        }
        await writeCoco(paths[k] ?? "", part as CocoDataset);
      }
      return paths;
    },
  };
}
