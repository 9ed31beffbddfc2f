/**
 * Reading a whole run-record folder: streams `manifest.jsonl` (repeats allowed), checks that
 * images and annotation files exist, loads and checks every annotation file, and checks
 * categories across files and against `metadata.json`.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { ioError, systemErrorCode, TrainsetError } from "../util/errors.js";
import { IssueCollector, type ValidationIssue, type ValidationOptions } from "../util/issues.js";
import { readJsonl } from "../util/jsonl.js";
import { throttleProgress, throwIfAborted, type RunControl } from "../util/run-control.js";
import { readPngSize } from "./run-record-image-size.js";
import { checkAnnotationFile, checkManifestEntry, checkMetadata, FileIssues, isRecord } from "./run-record-validate.js";
import type { RunRecordAnnotationFile, RunRecordManifestLine, RunRecordMetadata } from "./run-record.js";

/** A run-record folder in memory. */
export interface RunRecordDataset {
  /** The folder, as given. */
  dir: string;
  /** Every manifest line, repeats included, in file order. */
  manifest: RunRecordManifestLine[];
  /** Distinct image ids: manifest order of first appearance, then annotation files the manifest does not list (sorted). */
  imageIds: string[];
  /** Image id → image path relative to `dir` (its first manifest line's `image`). */
  imagePaths: Map<string, string>;
  /** Image id → annotation file path relative to `dir`. */
  annotationPaths: Map<string, string>;
  /** Image id → its annotation file, for the ids that have one. */
  annotationFiles: Map<string, RunRecordAnnotationFile>;
  /** `metadata.json`, when present and usable. */
  metadata: RunRecordMetadata | undefined;
}

/** Options for {@link readRunRecordDataset}. */
export interface RunRecordReadOptions extends ValidationOptions, RunControl {
  /** Where issues go; without one, `mode` decides (default strict: the first error throws). */
  issues?: IssueCollector;
  /** How far (px) a bbox may reach outside its image before it is an error (default 1). */
  bboxTolerance?: number;
  /** Compare each annotation file's image_width/height with its PNG's header (default true). */
  checkImageSizes?: boolean;
}

const BATCH = 64;

async function listNames(dir: string): Promise<Set<string> | undefined> {
  try {
    return new Set(await readdir(dir));
  } catch (error) {
    if (systemErrorCode(error) === "ENOENT" || systemErrorCode(error) === "ENOTDIR") return undefined;
    throw ioError("list", dir, error);
  }
}

/** `abc.png` → `abc`. */
function stemOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (systemErrorCode(error) === "ENOENT" || systemErrorCode(error) === "ENOTDIR") return false;
    throw ioError("check", path, error);
  }
}

/** Existence through a folder listing when the path is `<folder>/<name>`, else through stat. */
async function fileExists(dir: string, rel: string, folder: string, names: Set<string> | undefined): Promise<boolean> {
  const parts = rel.split("/");
  if (parts.length === 2 && parts[0] === folder && names !== undefined) return names.has(parts[1] ?? "");
  return exists(join(dir, rel));
}

async function loadMetadata(dir: string, issues: IssueCollector): Promise<RunRecordMetadata | undefined> {
  const path = join(dir, "metadata.json");
  const sink = new FileIssues(issues, path);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (systemErrorCode(error) !== "ENOENT") throw ioError("read", path, error);
    sink.warn("missing-metadata", "metadata.json is missing; categories are taken from the annotation files");
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    sink.error("invalid-json", `metadata.json is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
  return checkMetadata(value, sink);
}

interface Loaded {
  id: string;
  rel: string;
  text?: string;
  error?: unknown;
  pngSize?: { width: number; height: number } | undefined;
}

async function loadOne(dir: string, id: string, rel: string, imageRel: string | undefined, checkSizes: boolean): Promise<Loaded> {
  const loaded: Loaded = { id, rel };
  try {
    loaded.text = await readFile(join(dir, rel), "utf8");
  } catch (error) {
    loaded.error = error;
    return loaded;
  }
  if (checkSizes && imageRel !== undefined) {
    // A missing or unreadable image was reported already; the size check just skips it.
    loaded.pngSize = await readPngSize(join(dir, imageRel)).catch(() => undefined);
  }
  return loaded;
}

/**
 * Reads and checks a run-record folder; strict by default (the first error throws a
 * TrainsetError naming file, line and field), or collecting into `options.issues`.
 * @example
 * const ds = await readRunRecordDataset("datasets/session_001");
 * ds.annotationFiles.get(ds.imageIds[0])?.annotations;
 */
export async function readRunRecordDataset(dir: string, options: RunRecordReadOptions = {}): Promise<RunRecordDataset> {
  const issues =
    options.issues ??
    new IssueCollector(undefined, {
      mode: options.mode ?? "strict",
      ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }),
    });
  const progress = throttleProgress(options.onProgress);
  const action = `read run-record dataset "${dir}"`;
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (error) {
    throw ioError("read run-record dataset", dir, error);
  }
  if (!isDir) throw new TrainsetError("UNSUPPORTED_FORMAT", `Cannot ${action}: it is not a folder`, { file: dir });

  const imageNames = await listNames(join(dir, "images"));
  const annotationNames = await listNames(join(dir, "annotations"));
  const metadata = await loadMetadata(dir, issues);

  // 1. The manifest, streamed.
  const manifestPath = join(dir, "manifest.jsonl");
  const mf = new FileIssues(issues, manifestPath);
  const manifest: RunRecordManifestLine[] = [];
  const firstLine = new Map<string, RunRecordManifestLine>();
  const imageIds: string[] = [];
  if (!(await exists(manifestPath))) {
    mf.error("missing-manifest", "manifest.jsonl is missing; it is the list of the dataset's images");
  } else {
    // readJsonl reports broken lines into its own collector; they are passed on in order.
    const lineIssues = new IssueCollector(manifestPath, { mode: "collect", maxIssues: Number.MAX_SAFE_INTEGER });
    const forward = (): void => {
      for (const issue of lineIssues.issues.splice(0)) mf.error(issue.rule, issue.message, issue.line === undefined ? {} : { line: issue.line });
    };
    const readOptions = { issues: lineIssues, ...(options.signal === undefined ? {} : { signal: options.signal }) };
    for await (const { value, line } of readJsonl(manifestPath, readOptions)) {
      forward();
      const entry = checkManifestEntry(value, mf, line);
      if (entry === undefined) continue;
      const record = { entry, line };
      manifest.push(record);
      const first = firstLine.get(entry.id);
      if (first === undefined) {
        firstLine.set(entry.id, record);
        imageIds.push(entry.id);
      } else {
        if (first.entry.image !== entry.image || first.entry.annotations !== entry.annotations) {
          mf.warn("conflicting-repeat", `id "${entry.id}" points to "${entry.image}" and "${entry.annotations}", but line ${first.line} gave "${first.entry.image}" and "${first.entry.annotations}"; the first line wins`, { line, field: "image" });
        }
        if (entry.is_new === true) {
          mf.warn("repeat-marked-new", `id "${entry.id}" was already listed on line ${first.line}, yet this line says is_new: true`, { line, field: "is_new" });
        }
      }
      if ((manifest.length & 1023) === 0) progress({ phase: "manifest", done: manifest.length, unit: "lines" });
    }
    forward();
  }

  // 2. Files the manifest points to.
  const imagePaths = new Map<string, string>();
  const annotationPaths = new Map<string, string>();
  const toLoad: Array<{ id: string; rel: string; imageRel: string | undefined }> = [];
  for (const id of imageIds) {
    const { entry, line } = firstLine.get(id) as RunRecordManifestLine;
    imagePaths.set(id, entry.image);
    annotationPaths.set(id, entry.annotations);
    const imageOk = await fileExists(dir, entry.image, "images", imageNames);
    if (!imageOk) mf.error("missing-image", `image "${entry.image}" does not exist`, { line, field: "image" });
    if (await fileExists(dir, entry.annotations, "annotations", annotationNames)) {
      toLoad.push({ id, rel: entry.annotations, imageRel: imageOk ? entry.image : undefined });
    } else {
      mf.warn("missing-annotation-file", `"${entry.annotations}" does not exist; qontinui writes one only for images with boxes, so "${id}" counts as having none`, { line, field: "annotations" });
    }
  }
  // Annotation files no manifest line lists (qontinui's own COCO export includes them).
  const listed = new Set(annotationPaths.values());
  const orphans: string[] = [];
  for (const name of annotationNames ?? []) {
    if (name.endsWith(".json") && !listed.has(`annotations/${name}`) && !firstLine.has(name.slice(0, -5))) orphans.push(name);
  }
  orphans.sort();
  const imageByStem = new Map<string, string>();
  if (orphans.length > 0) for (const name of imageNames ?? []) imageByStem.set(stemOf(name), name);
  for (const name of orphans) {
    const id = name.slice(0, -5);
    const rel = `annotations/${name}`;
    const imageName = imageByStem.get(id);
    new FileIssues(issues, join(dir, rel)).warn("orphan-annotation-file", `no manifest line lists "${rel}"; it is read as image "${id}"`);
    imageIds.push(id);
    annotationPaths.set(id, rel);
    if (imageName !== undefined) imagePaths.set(id, `images/${imageName}`);
    else new FileIssues(issues, join(dir, rel)).error("missing-image", `there is no image for "${id}" in images/`);
    toLoad.push({ id, rel, imageRel: imageName === undefined ? undefined : `images/${imageName}` });
  }
  const known = new Set(imageIds);
  let strayImages = 0;
  let firstStray = "";
  for (const name of imageNames ?? []) {
    if (!known.has(stemOf(name)) && !name.startsWith(".")) {
      if (strayImages++ === 0) firstStray = name;
    }
  }
  if (strayImages > 0) {
    new FileIssues(issues, join(dir, "images")).warn("orphan-images", `${strayImages} image(s) in images/ are in no manifest line (first: ${firstStray}); they are not part of the dataset`);
  }

  // 3. Annotation files, read in parallel batches and checked in order.
  const annotationFiles = new Map<string, RunRecordAnnotationFile>();
  const categoryMap = metadata?.category_map;
  const nameToId = new Map<string, number>();
  const idToName = new Map<number, string>();
  let annotationCount = 0;
  const checkSizes = options.checkImageSizes ?? true;
  for (let start = 0; start < toLoad.length; start += BATCH) {
    throwIfAborted(options.signal, action);
    const batch = toLoad.slice(start, start + BATCH);
    const loaded = await Promise.all(batch.map((item) => loadOne(dir, item.id, item.rel, item.imageRel, checkSizes)));
    for (const item of loaded) {
      const path = join(dir, item.rel);
      const sink = new FileIssues(issues, path);
      if (item.text === undefined) {
        sink.error("unreadable-file", `the annotation file cannot be read (${item.error instanceof Error ? item.error.message : String(item.error)})`);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(item.text) as unknown;
      } catch (error) {
        sink.error("invalid-json", `the annotation file is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
        continue;
      }
      const file = checkAnnotationFile(value, sink, {
        expectedId: item.id,
        ...(categoryMap === undefined ? {} : { categoryMap }),
        ...(options.bboxTolerance === undefined ? {} : { bboxTolerance: options.bboxTolerance }),
      });
      if (file === undefined) continue;
      annotationFiles.set(item.id, file);
      annotationCount += file.annotations.length;
      if (item.pngSize !== undefined && (item.pngSize.width !== file.image_width || item.pngSize.height !== file.image_height)) {
        sink.error("image-size-mismatch", `image_width × image_height is ${file.image_width}×${file.image_height}, but the PNG "${imagePaths.get(item.id) ?? ""}" is ${item.pngSize.width}×${item.pngSize.height}`, { field: "image_width" });
      }
      if (categoryMap === undefined) checkCategoriesAcross(file, sink, nameToId, idToName);
    }
    progress({ phase: "annotation files", done: Math.min(start + BATCH, toLoad.length), total: toLoad.length, unit: "files" });
  }

  // 4. metadata.json totals (qontinui's count only its last export call).
  if (metadata !== undefined) {
    const meta = new FileIssues(issues, join(dir, "metadata.json"));
    if (typeof metadata.total_images === "number" && metadata.total_images !== imageIds.length) {
      meta.warn("stale-total", `total_images is ${metadata.total_images}, but the dataset has ${imageIds.length} distinct images (qontinui counts only its last export call)`, { field: "total_images" });
    }
    if (typeof metadata.total_annotations === "number" && metadata.total_annotations !== annotationCount) {
      meta.warn("stale-total", `total_annotations is ${metadata.total_annotations}, but the annotation files hold ${annotationCount} (qontinui counts only its last export call)`, { field: "total_annotations" });
    }
  }
  return { dir, manifest, imageIds, imagePaths, annotationPaths, annotationFiles, metadata };
}

/** Without metadata.json, a category name must keep one id (and an id one name) across files. */
function checkCategoriesAcross(file: RunRecordAnnotationFile, sink: FileIssues, nameToId: Map<string, number>, idToName: Map<number, string>): void {
  for (let i = 0; i < file.annotations.length; i++) {
    const ann = file.annotations[i];
    if (!isRecord(ann)) continue;
    const name = ann.category_name;
    const id = ann.category_id;
    const knownId = nameToId.get(name);
    const knownName = idToName.get(id);
    if (knownId !== undefined && knownId !== id) {
      sink.error("inconsistent-category", `annotations[${i}] gives "${name}" category_id ${id}, but other files give it ${knownId}`, { field: `annotations[${i}].category_id` });
    } else if (knownName !== undefined && knownName !== name) {
      sink.error("inconsistent-category", `annotations[${i}] uses category_id ${id} for "${name}", but other files use it for "${knownName}"`, { field: `annotations[${i}].category_name` });
    } else {
      nameToId.set(name, id);
      idToName.set(id, name);
    }
  }
}

/**
 * Checks a run-record folder and returns every issue (collect mode by default).
 * @example
 * const issues = await validateRunRecordDataset("datasets/session_001");
 */
export async function validateRunRecordDataset(dir: string, options: RunRecordReadOptions = {}): Promise<ValidationIssue[]> {
  const issues =
    options.issues ??
    new IssueCollector(undefined, {
      mode: options.mode ?? "collect",
      ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }),
    });
  await readRunRecordDataset(dir, { ...options, issues });
  return issues.issues;
}
