/**
 * COCO object detection files (https://cocodataset.org/#format-data): types with the field names
 * used on disk, and parse / read / write / load.
 *
 * What trainset accepts (beyond the letter of the COCO spec, because real exporters write it):
 * - ids may be non-negative integers or non-empty strings (qontinui writes its 16-hex image ids
 *   as COCO image ids); string ids are accepted with one warning per section;
 * - category id 0 (qontinui numbers categories from 0);
 * - no `licenses` and no `info`; no `annotations` (an image-info file) is a warning;
 * - any extra field on any element (qontinui adds `confidence`, `source`, `verified` per
 *   annotation); extra fields are kept on read and written back unchanged.
 *
 * What trainset writes (`trainset convert`) uses integer ids from 1, so it loads in pycocotools and
 * its COCOeval (which treats annotation id 0 as "unmatched").
 */
import { constants as bufferConstants } from "node:buffer";
import { open, readFile, stat } from "node:fs/promises";
import { createAtomicWriteStream } from "../util/atomic-write.js";
import { ioError, TrainsetError } from "../util/errors.js";
import { IssueCollector, type ValidationIssue, type ValidationOptions } from "../util/issues.js";
import { throwIfAborted } from "../util/run-control.js";
import type { CocoIndex } from "./coco-index.js";
import { parseCocoSections } from "./coco-sections.js";
import { checkCoco, type CocoCheckOptions } from "./coco-validate.js";

/** An image, annotation or category id: an integer (COCO) or a string (qontinui's 16-hex ids). */
export type CocoId = number | string;

/** `info`: free-form description of the dataset. */
export interface CocoInfo {
  year?: number;
  version?: string;
  description?: string;
  contributor?: string;
  url?: string;
  date_created?: string;
  [key: string]: unknown;
}

/** One entry of `licenses`. */
export interface CocoLicense {
  id: number;
  name?: string;
  url?: string;
  [key: string]: unknown;
}

/** One entry of `images`. */
export interface CocoImage {
  id: CocoId;
  /** Relative to the images folder, e.g. `000000391895.jpg` or `images/3f1c9a0b7d2e4c51.png`. */
  file_name: string;
  width: number;
  height: number;
  license?: number;
  coco_url?: string;
  flickr_url?: string;
  /** COCO writes `2013-11-14 11:18:45`; qontinui writes the unix timestamp. */
  date_captured?: string | number | null;
  [key: string]: unknown;
}

/** `[x, y, width, height]` in pixels, origin top-left. */
export type CocoBbox = [number, number, number, number];

/** Run-length encoding of a mask (`counts` compressed string or list). */
export interface CocoRle {
  counts: number[] | string;
  /** `[height, width]`. */
  size: [number, number];
}

/** One entry of `annotations` (detection / instance segmentation). */
export interface CocoAnnotation {
  id: CocoId;
  image_id: CocoId;
  category_id: CocoId;
  bbox: CocoBbox;
  area?: number;
  /** 0 for single objects, 1 for crowds (RLE segmentation). */
  iscrowd?: 0 | 1;
  /** Polygons `[[x1, y1, x2, y2, ...], ...]` or an RLE. */
  segmentation?: number[][] | CocoRle;
  /** qontinui: match score 0..1 (1.0 for clicks). */
  confidence?: number;
  /** qontinui: `template_matching`, `user_click`, `smart_click_analysis`… */
  source?: string;
  /** qontinui: reviewed by a person. */
  verified?: boolean;
  [key: string]: unknown;
}

/** One entry of `categories`. */
export interface CocoCategory {
  id: CocoId;
  name: string;
  supercategory?: string;
  [key: string]: unknown;
}

/** A whole COCO detection file. Unknown top-level keys are kept too. */
export interface CocoDataset {
  info?: CocoInfo;
  licenses?: CocoLicense[];
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
  [key: string]: unknown;
}

/** Options for parsing, reading and validating COCO. */
export interface CocoReadOptions extends ValidationOptions {
  /** Validate while reading (default true). */
  validate?: boolean;
  /** How far (px) a bbox may reach outside its image before it is an error (default 1). */
  bboxTolerance?: number;
  /**
   * Where issues go. Without one, reading is strict (the first error throws, warnings are
   * dropped); pass a collect-mode collector to get every issue and still receive the data.
   */
  issues?: IssueCollector;
  signal?: AbortSignal;
  /**
   * Files larger than this many bytes are parsed section by section instead of with one
   * `JSON.parse` (default: V8's maximum string length, about 512 MiB).
   */
  splitParseAbove?: number;
}

/** What {@link loadCoco} returns: the data, its index and every issue found. */
export interface CocoLoadResult {
  dataset: CocoDataset;
  index: CocoIndex;
  issues: ValidationIssue[];
}

function collectorFor(options: CocoReadOptions, fallbackMode: "strict" | "collect"): IssueCollector {
  return (
    options.issues ??
    new IssueCollector(options.file, {
      mode: options.mode ?? fallbackMode,
      ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }),
    })
  );
}

function checkOptions(options: CocoReadOptions): CocoCheckOptions {
  return options.bboxTolerance === undefined ? {} : { bboxTolerance: options.bboxTolerance };
}

function jsonErrorMessage(text: string, error: unknown): { message: string; line: number | undefined } {
  const raw = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(raw);
  let line: number | undefined;
  if (match?.[1] !== undefined) {
    const pos = Number(match[1]);
    line = 1;
    for (let i = text.indexOf("\n"); i !== -1 && i < pos; i = text.indexOf("\n", i + 1)) line++;
  }
  return { message: raw.replace(/^Unexpected/, "unexpected"), line };
}

function parseJsonText(text: string, file: string | undefined): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const { message, line } = jsonErrorMessage(text, error);
    const where = file === undefined ? "COCO" : `COCO "${file}"`;
    throw new TrainsetError("PARSE_ERROR", `Cannot read ${where}: not valid JSON${line === undefined ? "" : ` (line ${line})`}: ${message}`, {
      ...(file === undefined ? {} : { file }),
      ...(line === undefined ? {} : { line }),
      cause: error,
    });
  }
}

/**
 * Parses COCO JSON text; strict by default (the first error throws a TrainsetError naming the
 * field), or collecting into `options.issues`.
 * @example
 * const coco = parseCoco(text, { file: "train.json" });
 * coco.annotations[0]?.bbox; // [x, y, w, h]
 */
export function parseCoco(text: string, options: CocoReadOptions = {}): CocoDataset {
  const value = parseJsonText(text, options.file);
  return finish(value, options);
}

function finish(value: unknown, options: CocoReadOptions): CocoDataset {
  if (options.validate === false) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      const where = options.file === undefined ? "COCO" : `COCO "${options.file}"`;
      throw new TrainsetError("PARSE_ERROR", `Cannot read ${where}: the top level is not a JSON object`, {
        ...(options.file === undefined ? {} : { file: options.file }),
      });
    }
    return withAnnotations(value);
  }
  const issues = collectorFor(options, "strict");
  const index = checkCoco(value, issues, checkOptions(options));
  if (index === undefined) {
    // Only reachable in collect mode: the shape is too broken to use.
    const where = options.file === undefined ? "COCO" : `COCO "${options.file}"`;
    throw new TrainsetError("VALIDATION_ERROR", `Cannot read ${where}: it is not a COCO object (${issues.issues[0]?.message ?? "no images"})`, {
      ...(options.file === undefined ? {} : { file: options.file }),
    });
  }
  return withAnnotations(value);
}

/** An image-info file (no `annotations`) reads as a dataset without boxes. */
function withAnnotations(value: unknown): CocoDataset {
  const dataset = value as CocoDataset;
  if ((dataset as { annotations?: unknown }).annotations === undefined) dataset.annotations = [];
  return dataset;
}

/** V8's longest string; a file with more bytes cannot go through one `JSON.parse`. */
const MAX_STRING = bufferConstants.MAX_STRING_LENGTH;

async function readWholeFile(path: string, file: string, size: number): Promise<Buffer> {
  if (size > bufferConstants.MAX_LENGTH) {
    throw new TrainsetError("IO_ERROR", `Cannot read COCO "${file}": the file is ${(size / 2 ** 30).toFixed(1)} GiB, more than one Node buffer holds (${(bufferConstants.MAX_LENGTH / 2 ** 30).toFixed(0)} GiB); split it by images first`, { file });
  }
  if (size < 2 ** 31 - 1) {
    try {
      return await readFile(path);
    } catch (error) {
      throw ioError("read COCO", file, error);
    }
  }
  // readFile refuses files over 2 GiB; read them in blocks into one buffer.
  const buffer = Buffer.allocUnsafe(size);
  const handle = await open(path, "r").catch((error: unknown) => {
    throw ioError("read COCO", file, error);
  });
  try {
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(buffer, offset, Math.min(1 << 30, size - offset), offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset === size ? buffer : buffer.subarray(0, offset);
  } catch (error) {
    throw ioError("read COCO", file, error);
  } finally {
    await handle.close();
  }
}

/** Reads and JSON-parses a COCO file, choosing one `JSON.parse` or the sectioned parser by size. */
async function readCocoValue(path: string, options: CocoReadOptions): Promise<unknown> {
  const file = options.file ?? path;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw ioError("read COCO", file, error);
  }
  throwIfAborted(options.signal, `read COCO "${file}"`);
  const buffer = await readWholeFile(path, file, size);
  throwIfAborted(options.signal, `read COCO "${file}"`);
  const limit = Math.min(options.splitParseAbove ?? MAX_STRING, MAX_STRING);
  if (buffer.length > limit) {
    // One string cannot hold the file: parse the top-level object section by section, each
    // array element with its own JSON.parse (slower, but has no size limit).
    return parseCocoSections(buffer, { file, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  }
  // A Buffer decoded in one go then one JSON.parse is V8's fastest path for large JSON.
  return parseJsonText(buffer.toString("utf8"), file);
}

/**
 * Reads a COCO file (validated, strict unless `options.issues` collects). Files over ~512 MiB are
 * parsed section by section, so LVIS-sized files load too.
 * @example
 * const coco = await readCoco("annotations/instances_train2017.json");
 */
export async function readCoco(path: string, options: CocoReadOptions = {}): Promise<CocoDataset> {
  const value = await readCocoValue(path, options);
  return finish(value, { ...options, file: options.file ?? path });
}

/**
 * Reads, validates and indexes a COCO file in one pass over its elements; issues are collected
 * (mode `collect` unless `options.mode` says `strict`).
 * @example
 * const { dataset, index, issues } = await loadCoco("train.json");
 * index.annsByImage.get(dataset.images[0].id);
 */
export async function loadCoco(path: string, options: CocoReadOptions = {}): Promise<CocoLoadResult> {
  const file = options.file ?? path;
  const value = await readCocoValue(path, options);
  const issues = collectorFor({ ...options, file }, "collect");
  const index = checkCoco(value, issues, checkOptions(options));
  if (index === undefined) {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot read COCO "${file}": it is not a COCO object (${issues.issues[0]?.message ?? "no images"})`, { file });
  }
  return { dataset: withAnnotations(value), index, issues: issues.issues };
}

/** Options for {@link writeCoco}. */
export interface CocoWriteOptions {
  /** Validate first and refuse to write a file with errors (default true). */
  validate?: boolean;
  /** Indent (default 0: compact, one element per line in the big arrays). */
  indent?: number;
}

/**
 * Writes a COCO file atomically, streaming element by element so that files larger than one
 * JavaScript string can be written. Extra fields are written unchanged.
 * @example
 * await writeCoco("dataset.json", coco);
 */
export async function writeCoco(path: string, dataset: CocoDataset, options: CocoWriteOptions = {}): Promise<void> {
  if (options.validate ?? true) {
    checkCoco(dataset, new IssueCollector(path, { mode: "strict" }), {});
  }
  const indent = options.indent ?? 0;
  const out = await createAtomicWriteStream(path);
  try {
    let chunk = "{";
    let firstKey = true;
    const flushAt = 1 << 20;
    for (const key of Object.keys(dataset)) {
      const value = dataset[key];
      if (value === undefined) continue;
      chunk += `${firstKey ? "" : ","}\n${JSON.stringify(key)}: `;
      firstKey = false;
      if (Array.isArray(value)) {
        const list = value as unknown[];
        chunk += "[";
        for (let i = 0; i < list.length; i++) {
          chunk += (i === 0 ? "\n" : ",\n") + JSON.stringify(list[i], null, indent);
          if (chunk.length >= flushAt) {
            await out.write(chunk);
            chunk = "";
          }
        }
        chunk += list.length === 0 ? "]" : "\n]";
      } else {
        chunk += JSON.stringify(value, null, indent);
      }
    }
    chunk += "\n}\n";
    await out.write(chunk);
    await out.commit();
  } catch (error) {
    await out.abort();
    throw error;
  }
}
