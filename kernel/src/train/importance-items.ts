/**
 * Rated frames for the frame-importance head (seed 004): the annotation store's JSONL lines
 * `{frame_path | framePath, rating, ...}` (rating 0–1), or a list given in code. Ratings of the
 * same frame are averaged; the group (for the split) is `group` or `video_id` (at the top level of
 * a line or in its `metadata`, where `storeAnnotations` puts it), else the frame's folder.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { stat } from "node:fs/promises";
import { readAnnotationRecords } from "../formats/annotation-lines.js";
import { ioError, TrainsetError } from "../util/errors.js";
import { IssueCollector } from "../util/issues.js";

/** One rated frame: a 0–1 importance (seed 004's AnnotationItemDto). */
export interface ImportanceItem {
  imagePath: string;
  rating: number;
  group?: string;
}

/** Where ratings come from: a list, or an annotation-store JSONL file. */
export type ImportanceSource =
  | { items: readonly ImportanceItem[] }
  /** Relative frame paths are resolved against `framesRoot` (default: the JSONL file's folder). */
  | { annotations: string; framesRoot?: string };

/** Distinct frames with their mean rating. */
export interface ImportanceData {
  images: string[];
  ratings: Float32Array;
  groups: string[];
  /** Ratings merged into an earlier one of the same frame. */
  duplicatesMerged: number;
}

/** The video a line belongs to: `group`, `video_id` or `videoId` (top level or in `metadata`). */
function groupOf(v: Record<string, unknown>): string | undefined {
  const group = v["group"] ?? v["video_id"] ?? v["videoId"];
  return typeof group === "string" || typeof group === "number" ? String(group) : undefined;
}

function checkRating(rating: unknown, where: { file?: string; line?: number }): number {
  if (typeof rating !== "number" || !Number.isFinite(rating) || rating < 0 || rating > 1) {
    const at = where.file === undefined ? `item ${where.line ?? 0}` : `"${where.file}" line ${where.line ?? 0}`;
    throw new TrainsetError("VALIDATION_ERROR", `Cannot read ratings ${at}: rating must be a number between 0.0 and 1.0, got ${JSON.stringify(rating)}`, { ...(where.file === undefined ? {} : { file: where.file }), line: where.line ?? 0, field: "rating" });
  }
  return rating;
}

/**
 * Reads and checks ratings; a bad line throws VALIDATION_ERROR with file, line and field.
 * @example const data = await readImportanceData({ annotations: ".trainset/annotations/alice/annotations.jsonl" });
 */
export async function readImportanceData(source: ImportanceSource): Promise<ImportanceData> {
  const items: ImportanceItem[] = [];
  if ("items" in source) {
    source.items.forEach((item, i) => {
      if (typeof item.imagePath !== "string" || item.imagePath === "")
        throw new TrainsetError("VALIDATION_ERROR", `Cannot read ratings item ${i + 1}: imagePath must be a non-empty path`, { line: i + 1, field: "imagePath" });
      items.push({ imagePath: resolve(item.imagePath), rating: checkRating(item.rating, { line: i + 1 }), ...(item.group === undefined ? {} : { group: item.group }) });
    });
  } else {
    const file = source.annotations;
    const root = resolve(source.framesRoot ?? dirname(file));
    await stat(file).catch((error: unknown) => {
      throw ioError("read ratings", file, error);
    });
    // The store's own reader: a torn tail and a batch cut short by a crash are skipped; any other
    // bad line stops training with its line and field.
    const issues = new IssueCollector(file, { mode: "collect" });
    const records = await readAnnotationRecords(file, issues);
    const bad = issues.issues.find((i) => i.severity === "error" && i.rule !== "torn-line");
    if (bad !== undefined)
      throw new TrainsetError("VALIDATION_ERROR", `Cannot read ratings "${file}" line ${bad.line ?? 0}: ${bad.message}`, { file, line: bad.line ?? 0, ...(bad.field === undefined ? {} : { field: bad.field }) });
    for (const { annotation, raw } of records) {
      const path = annotation.framePath;
      const group = groupOf(raw) ?? (annotation.metadata === undefined ? undefined : groupOf(annotation.metadata));
      items.push({
        imagePath: isAbsolute(path) ? path : resolve(root, path),
        rating: checkRating(annotation.rating, { file, line: annotation.line }),
        ...(group === undefined ? {} : { group }),
      });
    }
  }
  const byPath = new Map<string, { sum: number; n: number; group: string }>();
  for (const item of items) {
    const seen = byPath.get(item.imagePath);
    if (seen === undefined) byPath.set(item.imagePath, { sum: item.rating, n: 1, group: item.group ?? dirname(item.imagePath) });
    else {
      seen.sum += item.rating;
      seen.n++;
    }
  }
  const images = [...byPath.keys()];
  const entries = [...byPath.values()];
  return {
    images,
    ratings: Float32Array.from(entries, (e) => e.sum / e.n),
    groups: entries.map((e) => e.group),
    duplicatesMerged: items.length - images.length,
  };
}
