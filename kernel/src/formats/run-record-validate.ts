/**
 * Checks for the three kinds of run-record files: a manifest line, an annotation file and
 * `metadata.json`. Each takes a parsed JSON value, reports issues with field paths such as
 * `annotations[2].bbox`, and returns the typed value (or undefined when it is unusable).
 */
import { describeValue } from "../util/describe-value.js";
import type { ErrorLocation } from "../util/errors.js";
import type { IssueCollector } from "../util/issues.js";
import type { RunRecordAnnotationFile, RunRecordManifestEntry, RunRecordMetadata } from "./run-record.js";

type Json = Record<string, unknown>;

/** Where in a file an issue is (the file itself is the FileIssues'). */
export interface IssueWhere {
  line?: number;
  field?: string;
}

/**
 * Reports issues of one file of a multi-file dataset into a shared collector, so one strict /
 * collect policy and one issue limit cover the whole folder.
 */
export class FileIssues {
  constructor(
    readonly collector: IssueCollector,
    /** The file the issues are in; undefined keeps the collector's own file. */
    readonly file: string | undefined,
  ) {}

  error(rule: string, message: string, where: IssueWhere = {}): void {
    this.collector.error(rule, message, this.at(where));
  }

  warn(rule: string, message: string, where: IssueWhere = {}): void {
    this.collector.warn(rule, message, this.at(where));
  }

  private at(where: IssueWhere): ErrorLocation {
    // The collector puts its own `file` first and spreads this after it, so ours wins.
    return this.file === undefined ? where : { file: this.file, ...where };
  }
}

/** How a run-record id looks: 16 lowercase hex (qontinui's code), 8 hex (its old docs), or neither. */
export type RunRecordIdKind = "hex16" | "hex8" | "invalid";

const HEX16 = /^[0-9a-f]{16}$/;
const HEX8 = /^[0-9a-f]{8}$/;

/** Classifies an image id. */
export function runRecordIdKind(id: string): RunRecordIdKind {
  if (HEX16.test(id)) return "hex16";
  if (HEX8.test(id)) return "hex8";
  return "invalid";
}

/** True for a relative path that stays inside the dataset folder. */
export function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path)) return false;
  return !path.split(/[\\/]/).includes("..");
}

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value for a message: JSON, shortened. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

type Kind = "string" | "string?" | "number" | "number?" | "boolean" | "boolean?" | "string[]" | "int>=0" | "int>0";

const KIND_TEXT: Record<Kind, string> = {
  string: "a string",
  "string?": "a string or null",
  number: "a number",
  "number?": "a number or null",
  boolean: "true or false",
  "boolean?": "true, false or null",
  "string[]": "a list of strings",
  "int>=0": "a whole number >= 0",
  "int>0": "a whole number > 0",
};

function hasKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "string?":
      return value === null || typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "number?":
      return value === null || (typeof value === "number" && Number.isFinite(value));
    case "boolean":
      return typeof value === "boolean";
    case "boolean?":
      return value === null || typeof value === "boolean";
    case "string[]":
      return Array.isArray(value) && value.every((v) => typeof v === "string");
    case "int>=0":
      return typeof value === "number" && Number.isInteger(value) && value >= 0;
    case "int>0":
      return typeof value === "number" && Number.isInteger(value) && value > 0;
  }
}

/**
 * Checks `obj[key]`: missing is an error when `required`, else a warning; a wrong type is an
 * error. Returns true when the value is present and well typed.
 */
function field(obj: Json, key: string, kind: Kind, sink: FileIssues, where: IssueWhere, path: string, required: boolean): boolean {
  const value = obj[key];
  const located = { ...where, field: path };
  if (value === undefined) {
    if (required) sink.error("missing-field", `${path} is missing; it must be ${KIND_TEXT[kind]}`, located);
    else sink.warn("missing-field", `${path} is missing (qontinui always writes it; expected ${KIND_TEXT[kind]})`, located);
    return false;
  }
  if (!hasKind(value, kind)) {
    sink.error("invalid-field", `${path} is ${describeValue(value)}; it must be ${KIND_TEXT[kind]}`, located);
    return false;
  }
  return true;
}

function checkId(id: string, sink: FileIssues, where: IssueWhere, path: string): void {
  const kind = runRecordIdKind(id);
  if (kind === "hex8") {
    sink.warn("short-id", `${path} "${id}" has 8 hex characters; qontinui's exporter writes 16 (the 8 in its docs are out of date)`, { ...where, field: path });
  } else if (kind === "invalid") {
    sink.error("invalid-id", `${path} "${id}" is not a content id (16 lowercase hex characters: the start of the image's SHA-256)`, { ...where, field: path });
  }
}

function checkPath(value: string, sink: FileIssues, where: IssueWhere, path: string): void {
  if (!isSafeRelativePath(value)) {
    sink.error("unsafe-path", `${path} "${value}" must be a relative path inside the dataset folder`, { ...where, field: path });
  }
}

/**
 * Checks one parsed manifest line.
 * @example
 * checkManifestEntry(JSON.parse(text), new FileIssues(collector, "manifest.jsonl"), 3);
 */
export function checkManifestEntry(value: unknown, sink: FileIssues, line?: number): RunRecordManifestEntry | undefined {
  const where: IssueWhere = line === undefined ? {} : { line };
  if (!isRecord(value)) {
    sink.error("not-an-object", `the manifest entry is ${describeValue(value)}, not a JSON object`, where);
    return undefined;
  }
  let usable = true;
  if (field(value, "id", "string", sink, where, "id", true)) checkId(value.id as string, sink, where, "id");
  else usable = false;
  for (const key of ["image", "annotations"]) {
    if (field(value, key, "string", sink, where, key, true)) checkPath(value[key] as string, sink, where, key);
    else usable = false;
  }
  field(value, "action_id", "string?", sink, where, "action_id", false);
  field(value, "action_type", "string?", sink, where, "action_type", false);
  field(value, "timestamp", "number?", sink, where, "timestamp", false);
  field(value, "active_states", "string[]", sink, where, "active_states", false);
  field(value, "source", "string", sink, where, "source", false);
  field(value, "is_new", "boolean", sink, where, "is_new", false);
  field(value, "reviewed", "boolean", sink, where, "reviewed", false);
  if (usable && typeof value.id === "string" && typeof value.image === "string") {
    const base = value.image.split("/").pop() ?? "";
    if (!base.startsWith(`${value.id}.`)) {
      sink.warn("image-name-mismatch", `image "${value.image}" is not named after the id "${value.id}"`, { ...where, field: "image" });
    }
  }
  return usable ? (value as RunRecordManifestEntry) : undefined;
}

/** What an annotation file is checked against. */
export interface AnnotationFileCheckOptions {
  /** The id the manifest (and the file name) give this file. */
  expectedId?: string;
  /** `metadata.json`'s category name → id. */
  categoryMap?: Readonly<Record<string, number>>;
  /** How far (px) a bbox may reach outside the image before it is an error (default 1). */
  bboxTolerance?: number;
}

/**
 * Checks one parsed annotation file: types, image id, boxes against the image size, categories
 * against `metadata.json`'s category_map.
 * @example
 * checkAnnotationFile(JSON.parse(text), sink, { expectedId: "3f1c9a0b7d2e4c51", categoryMap });
 */
export function checkAnnotationFile(value: unknown, sink: FileIssues, options: AnnotationFileCheckOptions = {}): RunRecordAnnotationFile | undefined {
  if (!isRecord(value)) {
    sink.error("not-an-object", `the annotation file holds ${describeValue(value)}, not a JSON object`);
    return undefined;
  }
  const tolerance = options.bboxTolerance ?? 1;
  let usable = true;
  if (field(value, "image_id", "string", sink, {}, "image_id", true)) {
    const id = value.image_id as string;
    if (options.expectedId !== undefined && id !== options.expectedId) {
      sink.error("image-id-mismatch", `image_id is "${id}", but the manifest and the file name say "${options.expectedId}"`, { field: "image_id" });
    } else {
      checkId(id, sink, {}, "image_id");
    }
    if (field(value, "image_filename", "string", sink, {}, "image_filename", false)) {
      const name = value.image_filename as string;
      if (!name.startsWith(`${id}.`)) sink.warn("image-name-mismatch", `image_filename "${name}" is not named after image_id "${id}"`, { field: "image_filename" });
    }
  } else {
    usable = false;
  }
  const sized = field(value, "image_width", "int>0", sink, {}, "image_width", true) && field(value, "image_height", "int>0", sink, {}, "image_height", true);
  const width = value.image_width as number;
  const height = value.image_height as number;
  if (!Array.isArray(value.annotations)) {
    sink.error(value.annotations === undefined ? "missing-field" : "invalid-field", `annotations is ${describeValue(value.annotations)}; it must be a list of boxes`, { field: "annotations" });
    usable = false;
  } else {
    const list = value.annotations as unknown[];
    for (let i = 0; i < list.length; i++) {
      const ann = list[i];
      const path = `annotations[${i}]`;
      if (!isRecord(ann)) {
        sink.error("not-an-object", `${path} is ${describeValue(ann)}, not an object`, { field: path });
        usable = false;
        continue;
      }
      if (!checkBox(ann.bbox, sink, path, sized ? width : undefined, sized ? height : undefined, tolerance)) usable = false;
      const idOk = field(ann, "category_id", "int>=0", sink, {}, `${path}.category_id`, true);
      const nameOk = field(ann, "category_name", "string", sink, {}, `${path}.category_name`, true);
      if (!idOk || !nameOk) usable = false;
      if (idOk && nameOk && options.categoryMap !== undefined) {
        const name = ann.category_name as string;
        const mapped = Object.hasOwn(options.categoryMap, name) ? options.categoryMap[name] : undefined;
        if (mapped === undefined) {
          sink.error("unknown-category", `${path} has category "${name}", which metadata.json's category_map does not list`, { field: `${path}.category_name` });
        } else if (mapped !== ann.category_id) {
          sink.error("category-mismatch", `${path} has category_id ${describeValue(ann.category_id)} for "${name}", but metadata.json's category_map says ${mapped}`, { field: `${path}.category_id` });
        }
      }
      if (field(ann, "confidence", "number", sink, {}, `${path}.confidence`, false)) {
        const c = ann.confidence as number;
        if (c < 0 || c > 1) sink.warn("confidence-range", `${path}.confidence is ${c}, outside 0..1`, { field: `${path}.confidence` });
      }
      field(ann, "source", "string", sink, {}, `${path}.source`, false);
      field(ann, "verified", "boolean", sink, {}, `${path}.verified`, false);
    }
  }
  if (!isRecord(value.context)) {
    if (value.context === undefined) sink.warn("missing-field", "context is missing (qontinui writes the action that produced the file)", { field: "context" });
    else sink.error("invalid-field", `context is ${describeValue(value.context)}; it must be an object`, { field: "context" });
  } else {
    const context = value.context;
    field(context, "action_type", "string?", sink, {}, "context.action_type", false);
    field(context, "active_states", "string[]", sink, {}, "context.active_states", false);
    field(context, "timestamp", "number?", sink, {}, "context.timestamp", false);
    field(context, "success", "boolean?", sink, {}, "context.success", false);
  }
  field(value, "version", "string", sink, {}, "version", false);
  return usable && sized ? (value as RunRecordAnnotationFile) : undefined;
}

function checkBox(bbox: unknown, sink: FileIssues, path: string, width: number | undefined, height: number | undefined, tolerance: number): boolean {
  const at = { field: `${path}.bbox` };
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === "number" && Number.isFinite(v))) {
    sink.error("invalid-bbox", `${path}.bbox is ${show(bbox)}; a bbox is four finite numbers [x, y, width, height]`, at);
    return false;
  }
  const [x, y, w, h] = bbox as [number, number, number, number];
  if (w < 0 || h < 0) {
    sink.error("negative-bbox-size", `${path}.bbox ${show(bbox)} has a negative width or height`, at);
    return false;
  }
  if (w === 0 || h === 0) sink.warn("empty-bbox", `${path}.bbox ${show(bbox)} has zero width or height`, at);
  if (width !== undefined && height !== undefined && (x < -tolerance || y < -tolerance || x + w > width + tolerance || y + h > height + tolerance)) {
    sink.error("bbox-outside-image", `${path}.bbox ${show(bbox)} reaches outside the ${width}×${height} image by more than ${tolerance} px`, at);
  }
  return true;
}

/**
 * Checks a parsed `metadata.json`: types, and that `categories` and `category_map` agree.
 * @example
 * checkMetadata(JSON.parse(text), new FileIssues(collector, "metadata.json"));
 */
export function checkMetadata(value: unknown, sink: FileIssues): RunRecordMetadata | undefined {
  if (!isRecord(value)) {
    sink.error("not-an-object", `metadata.json holds ${describeValue(value)}, not a JSON object`);
    return undefined;
  }
  field(value, "dataset_version", "string", sink, {}, "dataset_version", false);
  field(value, "created", "string", sink, {}, "created", false);
  field(value, "total_images", "int>=0", sink, {}, "total_images", false);
  field(value, "total_annotations", "int>=0", sink, {}, "total_annotations", false);
  let usable = true;
  const map = value.category_map;
  const idToName = new Map<number, string>();
  if (!isRecord(map)) {
    sink.error(map === undefined ? "missing-field" : "invalid-field", `category_map is ${describeValue(map)}; it must map category names to ids`, { field: "category_map" });
    usable = false;
  } else {
    for (const [name, id] of Object.entries(map)) {
      const path = `category_map.${name}`;
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
        sink.error("invalid-field", `${path} is ${describeValue(id)}; category ids are whole numbers >= 0`, { field: path });
        usable = false;
        continue;
      }
      const other = idToName.get(id);
      if (other !== undefined) sink.error("duplicate-category-id", `category_map gives id ${id} to both "${other}" and "${name}"`, { field: path });
      else idToName.set(id, name);
    }
  }
  if (!Array.isArray(value.categories)) {
    sink.error(value.categories === undefined ? "missing-field" : "invalid-field", `categories is ${describeValue(value.categories)}; it must be a list of {id, name}`, { field: "categories" });
    usable = false;
  } else {
    const categories = value.categories as unknown[];
    const listed = new Set<string>();
    for (let i = 0; i < categories.length; i++) {
      const category = categories[i];
      const path = `categories[${i}]`;
      if (!isRecord(category)) {
        sink.error("not-an-object", `${path} is ${describeValue(category)}, not an object`, { field: path });
        usable = false;
        continue;
      }
      const ok = field(category, "id", "int>=0", sink, {}, `${path}.id`, true) && field(category, "name", "string", sink, {}, `${path}.name`, true);
      if (!ok) {
        usable = false;
        continue;
      }
      const name = category.name as string;
      listed.add(name);
      if (isRecord(map)) {
        const mapped = Object.hasOwn(map, name) ? map[name] : undefined;
        if (mapped === undefined) {
          sink.error("category-mismatch", `${path} "${name}" is not in category_map`, { field: `${path}.name` });
        } else if (mapped !== category.id) {
          sink.error("category-mismatch", `${path} gives "${name}" id ${describeValue(category.id)}, but category_map says ${describeValue(mapped)}`, { field: `${path}.id` });
        }
      }
    }
    if (isRecord(map)) {
      for (const name of Object.keys(map)) {
        if (!listed.has(name)) sink.error("category-mismatch", `category_map has "${name}", which categories does not list`, { field: `category_map.${name}` });
      }
    }
  }
  if (value.statistics !== undefined && !isRecord(value.statistics)) {
    sink.error("invalid-field", `statistics is ${describeValue(value.statistics)}; it must be an object`, { field: "statistics" });
  }
  if (field(value, "format", "string", sink, {}, "format", false) && value.format !== "intermediate") {
    sink.warn("unexpected-format", `format is "${String(value.format)}"; qontinui's run-record export says "intermediate"`, { field: "format" });
  }
  field(value, "description", "string", sink, {}, "description", false);
  return usable ? (value as RunRecordMetadata) : undefined;
}
