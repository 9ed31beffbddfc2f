/**
 * The contract between a dataset format and the splitter: a format adapter reads a file into one
 * generic row per sample (group + labels), knows each sample's image files (for leak checks) and
 * writes the samples of each split back in the input's own format.
 */
import { join } from "node:path";
import { TrainsetError } from "../../util/errors.js";
import type { DatasetFormat } from "../../formats/format-handler.js";
import type { SplitRow } from "../group-table.js";

/** An image a sample refers to: the name as written in the file and where it is on disk. */
export interface SplitImageRef {
  name: string;
  path: string;
}

/** The reference to an image named `name` in the file, found under the folder `root`. */
export function imageRef(root: string, name: string): SplitImageRef {
  return { name, path: join(root, name) };
}

/** One output file per split, `<outDir>/<split>.<extension>`, in split order. */
export function splitPaths(outDir: string, splits: readonly string[], extension: string): string[] {
  return splits.map((name) => join(outDir, `${name}.${extension}`));
}

/** Options every adapter understands. */
export interface SplitSourceOptions {
  /** Field(s) whose value is the group, comma-separated (default per format). */
  groupBy?: string;
  /** Field(s) whose values are the labels, comma-separated (default per format). */
  labels?: string;
  /** COCO only: a JSON object or CSV mapping image ids or file names to groups. */
  groupMap?: string;
  /** Folder that image references are relative to (default per format). */
  images?: string;
}

/** A dataset file read for splitting. */
export interface SplitSource {
  format: DatasetFormat;
  /** The path read. */
  input: string;
  /** What decided the groups, e.g. `old_examination_id` or `group map groups.json`. */
  groupBy: string;
  /** What gave the labels, e.g. `labels` or `categories`. */
  labelSource: string;
  /** What one sample is: `images`, `frames`, `pairs`, `records`. */
  unit: string;
  /** One row per sample, in file order. */
  rows: SplitRow[];
  /** Image files of sample `i`. */
  images(i: number): SplitImageRef[];
  /** Writes the samples whose assignment is `k` to one file per split; returns the paths written. */
  write(
    outDir: string,
    splits: readonly string[],
    assignments: readonly number[],
  ): Promise<string[]>;
}

/** Splits `a,b` into trimmed non-empty field names. */
export function fieldList(spec: string, option: string): string[] {
  const fields = spec.split(",").map((f) => f.trim());
  if (fields.length === 0 || fields.some((f) => f === "")) {
    throw new RangeError(
      `Cannot use ${option} "${spec}": give one field name or several separated by commas`,
    );
  }
  return fields;
}

/** A group key from one field value: strings and numbers as written; undefined when missing. */
export function groupPart(value: unknown): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  return undefined;
}

/**
 * The group of a record from `fields` (joined with "/"), or a TrainsetError naming the place
 * (`where`, e.g. `line 12`) and the field that is missing or not a string or number.
 */
export function groupOf(
  record: Readonly<Record<string, unknown>>,
  fields: readonly string[],
  file: string,
  where: { text: string; line?: number },
): string {
  const parts: string[] = [];
  for (const field of fields) {
    const value = record[field];
    const part = groupPart(value);
    if (part === undefined) {
      const what =
        value === undefined
          ? "has no"
          : `has an unusable (${value === null ? "null" : Array.isArray(value) ? "list" : typeof value === "string" ? "empty" : typeof value}) value in`;
      throw new TrainsetError(
        "VALIDATION_ERROR",
        `Cannot split "${file}": ${where.text} ${what} group field "${field}" (choose another with --group-by)`,
        {
          file,
          field,
          ...(where.line === undefined ? {} : { line: where.line }),
        },
      );
    }
    parts.push(part);
  }
  return parts.join("/");
}

/**
 * Labels from `fields`: a list field gives its entries as names, a scalar gives `field=value`
 * (so `--labels project` balances projects); null or missing gives none.
 */
export function labelsOf(
  record: Readonly<Record<string, unknown>>,
  fields: readonly string[],
  file: string,
  where: { text: string; line?: number },
): string[] {
  const out: string[] = [];
  for (const field of fields) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) {
        const name = groupPart(item);
        if (name === undefined) {
          throw new TrainsetError(
            "VALIDATION_ERROR",
            `Cannot split "${file}": ${where.text} has an empty or non-text label in "${field}"`,
            {
              file,
              field,
              ...(where.line === undefined ? {} : { line: where.line }),
            },
          );
        }
        out.push(name);
      }
    } else {
      const name = groupPart(value);
      if (name === undefined) {
        throw new TrainsetError(
          "VALIDATION_ERROR",
          `Cannot split "${file}": ${where.text} has an unusable label value in "${field}" (a name, number or list of names is needed)`,
          {
            file,
            field,
            ...(where.line === undefined ? {} : { line: where.line }),
          },
        );
      }
      out.push(`${field}=${name}`);
    }
  }
  return out;
}

/** Throws when no sample has a single label, which leaves nothing to stratify. */
export function requireSomeLabels(
  rows: readonly SplitRow[],
  file: string,
  labelSource: string,
): void {
  for (const row of rows) {
    const labels = row.labels;
    if (Array.isArray(labels) ? labels.length > 0 : Object.keys(labels).length > 0) return;
  }
  throw new TrainsetError(
    "VALIDATION_ERROR",
    `Cannot split "${file}": no sample has a label in ${labelSource}, so there is nothing to stratify (choose a label field with --labels, or use --split-mode random-groups)`,
    { file },
  );
}

/** Throws when a file has no samples at all. */
export function requireSomeRows(rows: readonly SplitRow[], file: string, unit: string): void {
  if (rows.length === 0)
    throw new TrainsetError("VALIDATION_ERROR", `Cannot split "${file}": it holds no ${unit}`, {
      file,
    });
}
