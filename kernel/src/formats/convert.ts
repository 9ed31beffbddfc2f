/**
 * Conversion between qontinui's run-record folder and COCO, lossless where the formats overlap:
 * boxes, category names and ids, confidence / source / verified, image sizes. What COCO has no
 * field for (the 16-hex id, the annotation file's context and version, the manifest lines,
 * metadata.json's other fields) rides along as extra COCO fields, so run-record → COCO →
 * run-record gives the same folder back; COCO's own fields beyond the overlap (segmentation,
 * a polygon area, iscrowd 1, extra keys) ride along in the annotation files the same way.
 */
import { copyFile, link, mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { ioError, systemErrorCode, TrainsetError } from "../util/errors.js";
import { sha256File } from "../util/hashing.js";
import { throttleProgress, throwIfAborted, type RunControl } from "../util/run-control.js";
import { indexCoco } from "./coco-index.js";
import type { CocoAnnotation, CocoCategory, CocoDataset, CocoImage } from "./coco.js";
import type { RunRecordDataset } from "./run-record-dataset.js";
import { readImageSize } from "./run-record-image-size.js";
import { isRecord } from "./run-record-validate.js";
import {
  formatRunRecordManifestLine,
  writeRunRecordAnnotationFile,
  writeRunRecordMetadata,
  type RunRecordAnnotation,
  type RunRecordAnnotationFile,
  type RunRecordCategory,
  type RunRecordContext,
  type RunRecordManifestEntry,
  type RunRecordMetadata,
} from "./run-record.js";

/** A manifest line kept in a COCO image: its line number and the fields other than id/image/annotations. */
export interface StoredManifestLine {
  line: number;
  entry: Record<string, unknown>;
}

/**
 * The extra fields trainset adds to a COCO image made from a run-record, so the way back is
 * lossless. `file_name` is `images/<run_record_id>.png`.
 */
export interface RunRecordCocoImageFields {
  /** The 16-hex content id. */
  run_record_id: string;
  /** `annotations/<id>.json` when the image had an annotation file. */
  run_record_annotation_file?: string;
  run_record_context?: RunRecordContext;
  run_record_version?: string;
  /** The annotation file's `image_filename` when it is not `<id>.<ext>`. */
  run_record_image_filename?: string;
  /** The annotation file's fields that are not part of the format. */
  run_record_extra?: Record<string, unknown>;
  run_record_manifest?: StoredManifestLine[];
}

/** Options for {@link runRecordToCoco}. */
export interface RunRecordToCocoOptions extends RunControl {
  /** Also list images without an annotation file, sized from their header (default true). */
  includeUnannotated?: boolean;
}

const ANNOTATION_FILE_KEYS = new Set(["image_id", "image_filename", "image_width", "image_height", "annotations", "context", "version"]);
const MANIFEST_PATH_KEYS = new Set(["id", "image", "annotations"]);
const RUN_RECORD_ANN_KEYS = new Set(["bbox", "category_id", "category_name", "confidence", "source", "verified"]);
const COCO_ANN_KEYS = new Set(["id", "image_id", "category_id", "bbox", "category_name", "confidence", "source", "verified"]);

function omit(obj: Record<string, unknown>, keys: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) if (!keys.has(key)) out[key] = value;
  return out;
}

/** Unix seconds → COCO's `YYYY-MM-DD HH:MM:SS` (UTC). */
function cocoDate(seconds: unknown): string | undefined {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return undefined;
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/**
 * Builds a COCO dataset from a run-record folder read by `readRunRecordDataset`: integer ids
 * from 1 (images in manifest order), category ids kept, qontinui's annotation fields kept.
 * @example
 * const coco = await runRecordToCoco(await readRunRecordDataset("session_001"));
 * await writeCoco("session_001/dataset.json", coco);
 */
export async function runRecordToCoco(dataset: RunRecordDataset, options: RunRecordToCocoOptions = {}): Promise<CocoDataset> {
  const includeUnannotated = options.includeUnannotated ?? true;
  const progress = throttleProgress(options.onProgress);
  const linesById = new Map<string, StoredManifestLine[]>();
  for (const { entry, line } of dataset.manifest) {
    let list = linesById.get(entry.id);
    if (list === undefined) linesById.set(entry.id, (list = []));
    list.push({ line, entry: omit(entry, MANIFEST_PATH_KEYS) });
  }
  const categories = cocoCategories(dataset);
  const images: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  for (let i = 0; i < dataset.imageIds.length; i++) {
    throwIfAborted(options.signal, `convert "${dataset.dir}" to COCO`);
    const id = dataset.imageIds[i] as string;
    const file = dataset.annotationFiles.get(id);
    if (file === undefined && !includeUnannotated) continue;
    const imagePath = dataset.imagePaths.get(id) ?? `images/${id}.png`;
    const size = file === undefined ? await readImageSize(join(dataset.dir, imagePath)) : { width: file.image_width, height: file.image_height };
    const imageId = images.length + 1;
    const extras: RunRecordCocoImageFields = { run_record_id: id };
    if (file !== undefined) {
      extras.run_record_annotation_file = dataset.annotationPaths.get(id) ?? `annotations/${id}.json`;
      extras.run_record_context = file.context;
      extras.run_record_version = file.version;
      if (file.image_filename !== basename(imagePath)) extras.run_record_image_filename = file.image_filename;
      const rest = omit(file, ANNOTATION_FILE_KEYS);
      if (Object.keys(rest).length > 0) extras.run_record_extra = rest;
    }
    const lines = linesById.get(id);
    if (lines !== undefined) extras.run_record_manifest = lines;
    const captured = cocoDate(file?.context.timestamp ?? lines?.[0]?.entry.timestamp);
    const image: CocoImage = {
      id: imageId,
      file_name: imagePath,
      width: size.width,
      height: size.height,
      ...(captured === undefined ? {} : { date_captured: captured }),
      ...extras,
    };
    images.push(image);
    for (const ann of file?.annotations ?? []) {
      const [, , w, h] = ann.bbox;
      const rest = omit(ann, RUN_RECORD_ANN_KEYS);
      const area = typeof rest.area === "number" ? rest.area : w * h;
      const iscrowd = rest.iscrowd === 1 ? 1 : 0;
      delete rest.area;
      delete rest.iscrowd;
      annotations.push({
        id: annotations.length + 1,
        image_id: imageId,
        category_id: ann.category_id,
        bbox: ann.bbox,
        area,
        iscrowd,
        confidence: ann.confidence,
        source: ann.source,
        verified: ann.verified,
        ...rest,
      });
    }
    progress({ phase: "convert", done: i + 1, total: dataset.imageIds.length, unit: "images" });
  }
  const meta = dataset.metadata;
  const info: Record<string, unknown> = {
    description: meta?.description ?? "Training dataset exported from qontinui-runner execution data",
    version: meta?.dataset_version ?? "1.0.0",
    ...(meta?.created === undefined ? {} : { date_created: meta.created }),
    ...(meta === undefined ? {} : { run_record_metadata: omit(meta, new Set(["category_map", "categories"])) }),
  };
  return { info, licenses: [], images, annotations, categories };
}

function cocoCategories(dataset: RunRecordDataset): CocoCategory[] {
  const byId = new Map<number, CocoCategory>();
  for (const category of dataset.metadata?.categories ?? []) byId.set(category.id, { ...category });
  for (const file of dataset.annotationFiles.values()) {
    for (const ann of file.annotations) {
      if (!byId.has(ann.category_id)) byId.set(ann.category_id, { id: ann.category_id, name: ann.category_name });
    }
  }
  return [...byId.values()].sort((a, b) => (a.id as number) - (b.id as number));
}

/** Options for {@link cocoToRunRecord}. */
export interface CocoToRunRecordOptions extends RunControl {
  /** The folder COCO's `file_name`s are relative to (a name alone is tried there too). */
  images: string;
  /** The run-record folder to create; it must not hold a manifest.jsonl yet. */
  out: string;
  /** Hard-link the images instead of copying them (copies across filesystems). Default false. */
  link?: boolean;
  /** For annotations without one (default 1). */
  defaultConfidence?: number;
  /** For annotations without one (default `coco`). */
  defaultSource?: string;
  /** For annotations without one (default false: a conversion reviews nothing). */
  defaultVerified?: boolean;
}

/** What {@link cocoToRunRecord} wrote. */
export interface CocoToRunRecordResult {
  out: string;
  /** Distinct images (by content). */
  images: number;
  annotations: number;
  categories: number;
  manifestLines: number;
  /** COCO images whose bytes equal an earlier one's; their boxes were merged. */
  duplicateImages: number;
  /** Things the caller should tell the user. */
  warnings: string[];
}

interface CategoryMapping {
  byCocoId: Map<unknown, RunRecordCategory>;
  list: RunRecordCategory[];
}

function mapCategories(coco: CocoDataset, out: string, warnings: string[]): CategoryMapping {
  const integerIds = coco.categories.every((c) => typeof c.id === "number" && Number.isInteger(c.id) && c.id >= 0);
  const byCocoId = new Map<unknown, RunRecordCategory>();
  const names = new Map<string, unknown>();
  const list: RunRecordCategory[] = [];
  coco.categories.forEach((category, i) => {
    const other = names.get(category.name);
    if (other !== undefined) {
      throw new TrainsetError("CONFLICT", `Cannot convert to run-record "${out}": category name "${category.name}" has ids ${JSON.stringify(other)} and ${JSON.stringify(category.id)}, and a run-record maps each name to one id`, { field: `categories[${i}].name` });
    }
    names.set(category.name, category.id);
    const { id, name, ...rest } = category;
    const mapped: RunRecordCategory = integerIds ? { id: id as number, name, ...rest } : { id: i, name, coco_id: id, ...rest };
    byCocoId.set(id, mapped);
    list.push(mapped);
  });
  list.sort((a, b) => a.id - b.id);
  if (!integerIds) warnings.push("COCO category ids are not all integers; they were numbered 0..n-1 in list order (the COCO id is kept as coco_id)");
  else if (list.some((c, i) => c.id !== i)) {
    warnings.push("category ids were kept but are not 0..n-1; qontinui numbers a new category len(category_map), which could reuse an id if it appends to this folder");
  }
  return { byCocoId, list };
}

async function resolveImage(images: string, image: CocoImage): Promise<string> {
  const direct = join(images, image.file_name);
  try {
    if ((await stat(direct)).isFile()) return direct;
  } catch (error) {
    if (systemErrorCode(error) !== "ENOENT" && systemErrorCode(error) !== "ENOTDIR") throw ioError("read image", direct, error);
  }
  const flat = join(images, basename(image.file_name));
  try {
    if (flat !== direct && (await stat(flat)).isFile()) return flat;
  } catch (error) {
    if (systemErrorCode(error) !== "ENOENT") throw ioError("read image", flat, error);
  }
  throw new TrainsetError("NOT_FOUND", `Cannot convert COCO image ${JSON.stringify(image.id)}: "${image.file_name}" is not in "${images}"${flat === direct ? "" : ` (nor is "${basename(image.file_name)}")`}`, { file: direct, field: "file_name" });
}

async function placeImage(source: string, target: string, hardLink: boolean): Promise<void> {
  try {
    await stat(target);
    return; // same content already there
  } catch (error) {
    if (systemErrorCode(error) !== "ENOENT") throw ioError("write", target, error);
  }
  const temp = `${target}.${process.pid}.tmp`;
  try {
    if (hardLink) {
      try {
        await link(source, temp);
      } catch (error) {
        const code = systemErrorCode(error);
        if (code !== "EXDEV" && code !== "EPERM" && code !== "ENOTSUP") throw error;
        await copyFile(source, temp);
      }
    } else {
      await copyFile(source, temp);
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw ioError("write", target, error);
  }
}

function unixSeconds(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value !== "string") return null;
  const ms = Date.parse(/^\d{4}-\d\d-\d\d \d/.test(value) ? `${value.replace(" ", "T")}Z` : value);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

function sameBox(a: RunRecordAnnotation, b: RunRecordAnnotation): boolean {
  return a.category_id === b.category_id && a.bbox.every((v, i) => v === b.bbox[i]);
}

function storedLines(value: unknown): StoredManifestLine[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const lines = (value as unknown[]).filter((l): l is StoredManifestLine => isRecord(l) && typeof l.line === "number" && isRecord(l.entry));
  return lines.length === value.length ? lines : undefined;
}

/**
 * Writes a COCO dataset as a run-record folder: each image hashed and placed under
 * `images/<16-hex id>.<ext>`, one annotation file per image with boxes, the manifest (restored
 * from the COCO's `run_record_manifest` when it came from a run-record) and `metadata.json`.
 * @example
 * await cocoToRunRecord(await readCoco("train.json"), { images: "train2017", out: "train-rr" });
 */
export async function cocoToRunRecord(coco: CocoDataset, options: CocoToRunRecordOptions): Promise<CocoToRunRecordResult> {
  const started = Date.now();
  const out = options.out;
  const action = `convert to run-record "${out}"`;
  try {
    await stat(join(out, "manifest.jsonl"));
    throw new TrainsetError("CONFLICT", `Cannot ${action}: it already holds a manifest.jsonl; choose a new folder`, { file: out });
  } catch (error) {
    if (error instanceof TrainsetError) throw error;
    if (systemErrorCode(error) !== "ENOENT" && systemErrorCode(error) !== "ENOTDIR") throw ioError("check", out, error);
  }
  const warnings: string[] = [];
  const categories = mapCategories(coco, out, warnings);
  const index = indexCoco(coco);
  const progress = throttleProgress(options.onProgress);
  await mkdir(join(out, "images"), { recursive: true });
  await mkdir(join(out, "annotations"), { recursive: true });

  const info = isRecord(coco.info) ? coco.info : {};
  const storedMeta = isRecord(info.run_record_metadata) ? info.run_record_metadata : undefined;
  const version = typeof storedMeta?.dataset_version === "string" ? storedMeta.dataset_version : typeof info.version === "string" ? info.version : "1.0.0";
  const files = new Map<string, RunRecordAnnotationFile>();
  const fileOrder: string[] = [];
  const seen = new Set<string>();
  const numbered: Array<{ line: number; entry: RunRecordManifestEntry }> = [];
  const unnumbered: RunRecordManifestEntry[] = [];
  let duplicateImages = 0;
  let withTemplateMatches = 0;
  let withClicks = 0;
  for (let i = 0; i < coco.images.length; i++) {
    throwIfAborted(options.signal, action);
    const image = coco.images[i] as CocoImage;
    const source = await resolveImage(options.images, image);
    const id = (await sha256File(source)).slice(0, 16);
    if (typeof image.run_record_id === "string" && image.run_record_id !== id) {
      warnings.push(`image ${JSON.stringify(image.id)} says run_record_id ${image.run_record_id}, but its bytes hash to ${id}; the content id is used`);
    }
    const ext = extname(image.file_name).toLowerCase() || ".png";
    const imageRel = `images/${id}${ext}`;
    const annotationRel = `annotations/${id}.json`;
    const isNew = !seen.has(id);
    if (isNew) await placeImage(source, join(out, imageRel), options.link ?? false);
    else duplicateImages++;

    const boxes = (index.annsByImage.get(image.id) ?? []).map((ann) => runRecordAnnotation(ann, categories, options));
    if (boxes.some((b) => b.source === "template_matching")) withTemplateMatches++;
    if (boxes.some((b) => b.source.includes("click"))) withClicks++;
    const hadFile = typeof image.run_record_annotation_file === "string";
    const existing = files.get(id);
    if (existing !== undefined) {
      for (const box of boxes) if (!existing.annotations.some((a) => sameBox(a, box))) existing.annotations.push(box);
    } else if (boxes.length > 0 || hadFile) {
      const context: RunRecordContext = isRecord(image.run_record_context)
        ? (image.run_record_context as RunRecordContext)
        : { action_type: null, active_states: [], timestamp: unixSeconds(image.date_captured), success: null };
      files.set(id, {
        image_id: id,
        image_filename: typeof image.run_record_image_filename === "string" ? image.run_record_image_filename : `${id}${ext}`,
        image_width: image.width,
        image_height: image.height,
        annotations: boxes,
        context,
        version: typeof image.run_record_version === "string" ? image.run_record_version : version,
        ...(isRecord(image.run_record_extra) ? image.run_record_extra : {}),
      });
    }
    if (isNew) {
      seen.add(id);
      fileOrder.push(id);
    }

    const stored = storedLines(image.run_record_manifest);
    if (stored !== undefined) {
      for (const { line, entry } of stored) numbered.push({ line, entry: { id, image: imageRel, annotations: annotationRel, ...entry } as RunRecordManifestEntry });
    } else {
      unnumbered.push({
        id,
        image: imageRel,
        annotations: annotationRel,
        action_id: null,
        action_type: null,
        timestamp: unixSeconds(image.date_captured),
        active_states: [],
        source: "coco_import",
        is_new: isNew,
        reviewed: false,
      });
    }
    progress({ phase: "images", done: i + 1, total: coco.images.length, unit: "images" });
  }

  let annotationTotal = 0;
  let written = 0;
  for (const id of fileOrder) {
    const file = files.get(id);
    if (file === undefined) continue;
    throwIfAborted(options.signal, action);
    annotationTotal += file.annotations.length;
    await writeRunRecordAnnotationFile(join(out, "annotations", `${id}.json`), file);
    progress({ phase: "annotation files", done: ++written, total: files.size, unit: "files" });
  }

  const categoryMap: Record<string, number> = {};
  for (const category of categories.list) categoryMap[category.name] = category.id;
  const metadata: RunRecordMetadata = {
    dataset_version: version,
    created: typeof storedMeta?.created === "string" ? storedMeta.created : typeof info.date_created === "string" ? info.date_created : new Date().toISOString(),
    total_images: fileOrder.length,
    total_annotations: annotationTotal,
    category_map: categoryMap,
    categories: categories.list,
    statistics: isRecord(storedMeta?.statistics)
      ? (storedMeta.statistics as RunRecordMetadata["statistics"])
      : {
          total_records_processed: coco.images.length,
          records_with_screenshots: coco.images.length,
          records_with_matches: withTemplateMatches,
          records_with_clicks: withClicks,
          skipped_records: 0,
          export_time_seconds: (Date.now() - started) / 1000,
        },
    format: typeof storedMeta?.format === "string" ? storedMeta.format : "intermediate",
    description: typeof storedMeta?.description === "string" ? storedMeta.description : typeof info.description === "string" ? `${info.description} (converted from COCO by trainset)` : "Converted from COCO by trainset",
    ...(storedMeta === undefined ? {} : omit(storedMeta, new Set(["dataset_version", "created", "total_images", "total_annotations", "category_map", "categories", "statistics", "format", "description"]))),
  };
  await writeRunRecordMetadata(join(out, "metadata.json"), metadata);

  // The manifest last: a folder without one is not a dataset yet, so a crash leaves nothing half-listed.
  numbered.sort((a, b) => a.line - b.line);
  const manifest = [...numbered.map((l) => l.entry), ...unnumbered];
  await writeFileAtomic(join(out, "manifest.jsonl"), manifest.map(formatRunRecordManifestLine).join(""));
  return {
    out,
    images: fileOrder.length,
    annotations: annotationTotal,
    categories: categories.list.length,
    manifestLines: manifest.length,
    duplicateImages,
    warnings,
  };
}

function runRecordAnnotation(ann: CocoAnnotation, categories: CategoryMapping, options: CocoToRunRecordOptions): RunRecordAnnotation {
  const category = categories.byCocoId.get(ann.category_id);
  if (category === undefined) {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot convert COCO annotation ${JSON.stringify(ann.id)}: category_id ${JSON.stringify(ann.category_id)} is not in categories`, { field: "category_id" });
  }
  const [, , w, h] = ann.bbox;
  const rest = omit(ann, COCO_ANN_KEYS);
  // COCO fields that only restate the box are dropped; anything informative rides along.
  if (rest.area === w * h) delete rest.area;
  if (rest.iscrowd === 0) delete rest.iscrowd;
  return {
    bbox: [...ann.bbox],
    category_id: category.id,
    category_name: category.name,
    confidence: typeof ann.confidence === "number" ? ann.confidence : (options.defaultConfidence ?? 1),
    source: typeof ann.source === "string" ? ann.source : (options.defaultSource ?? "coco"),
    verified: typeof ann.verified === "boolean" ? ann.verified : (options.defaultVerified ?? false),
    ...rest,
  };
}
