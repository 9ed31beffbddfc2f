/** COCO dataset → run-record folder: images hashed and placed, one annotation file per image, manifest last. */
import { mkdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { ioError, systemErrorCode, TrainsetError } from "../util/errors.js";
import { sha256File } from "../util/hashing.js";
import { throttleProgress, throwIfAborted, type RunControl } from "../util/run-control.js";
import { placeImage, resolveImage } from "./coco-image-place.js";
import { indexCoco } from "./coco-index.js";
import type { CocoAnnotation, CocoDataset, CocoImage } from "./coco.js";
import type { StoredManifestLine } from "./convert.js";
import { omit } from "./omit-keys.js";
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

const COCO_ANN_KEYS = new Set(["id", "image_id", "category_id", "bbox", "category_name", "confidence", "source", "verified"]);

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
