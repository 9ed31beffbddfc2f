/** Run-record folder → COCO dataset, keeping what COCO has no field for as extra fields. */
import { basename, join } from "node:path";
import { throttleProgress, throwIfAborted, type RunControl } from "../util/run-control.js";
import type { CocoAnnotation, CocoCategory, CocoDataset, CocoImage } from "./coco.js";
import type { StoredManifestLine } from "./convert.js";
import { omit } from "./omit-keys.js";
import type { RunRecordDataset } from "./run-record-dataset.js";
import { readImageSize } from "./run-record-image-size.js";
import type { RunRecordContext } from "./run-record.js";

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
