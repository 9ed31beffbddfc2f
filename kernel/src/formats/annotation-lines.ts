/**
 * Lines of the annotation store's JSONL file (seed 004): `{"frame_path","rating","timestamp",
 * "metadata"}` (camelCase and Aura's PascalCase keys are read too), read the way the store reads
 * them: broken lines and a torn tail are skipped into `issues`, and a trailing batch cut short by a
 * crash (lines tagged `batch`/`batch_size`) is hidden. Shared by the store and the trainers.
 */
import { isTrainsetError } from "../util/errors.js";
import type { IssueCollector } from "../util/issues.js";
import { readJsonl } from "../util/jsonl.js";

/** A stored annotation with its line in the user's file. */
export interface StoredAnnotation {
  framePath: string;
  rating: number;
  timestamp: string;
  metadata?: Record<string, unknown>;
  line: number;
}

/** A parsed annotation with the raw line it came from (for keys the store does not model). */
export interface AnnotationRecord {
  annotation: StoredAnnotation;
  raw: Record<string, unknown>;
}

/** The seed's message for a bad rating: `Rating must be between 0.0 and 1.0, got 1.5`. */
export function annotationRatingMessage(rating: unknown): string {
  return `Rating must be between 0.0 and 1.0, got ${typeof rating === "number" ? String(rating) : JSON.stringify(rating) ?? String(rating)}`;
}

function pick(raw: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (raw[k] !== undefined) return raw[k];
  return undefined;
}

/**
 * Reads one stored line (snake_case, camelCase or PascalCase keys); a bad one goes to `issues`.
 * @example parseAnnotationLine({ frame_path: "f.jpg", rating: 0.5 }, 1, issues)?.rating // 0.5
 */
export function parseAnnotationLine(value: unknown, line: number, issues: IssueCollector): StoredAnnotation | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    issues.error("not-an-object", `line ${line} is not a JSON object`, { line });
    return undefined;
  }
  const raw = value as Record<string, unknown>;
  const framePath = pick(raw, "frame_path", "framePath", "FramePath", "image_path", "imagePath");
  const rating = pick(raw, "rating", "Rating");
  const timestamp = pick(raw, "timestamp", "Timestamp");
  const metadata = pick(raw, "metadata", "Metadata");
  if (typeof framePath !== "string" || framePath === "") {
    issues.error("empty-frame-path", "FramePath cannot be null or empty", { line, field: "frame_path" });
    return undefined;
  }
  if (typeof rating !== "number" || !(rating >= 0 && rating <= 1)) {
    issues.error("rating-range", annotationRatingMessage(rating), { line, field: "rating" });
    return undefined;
  }
  return {
    framePath,
    rating,
    timestamp: typeof timestamp === "string" ? timestamp : "",
    ...(typeof metadata === "object" && metadata !== null && !Array.isArray(metadata) ? { metadata: metadata as Record<string, unknown> } : {}),
    line,
  };
}

/** How many trailing items of `batches` (each line's batch id and size, in file order) form an incomplete batch. */
export function trailingPartialBatch(batches: readonly { batch?: string; size: number }[]): number {
  const last = batches.at(-1);
  if (last?.batch === undefined) return 0;
  let count = 0;
  for (let i = batches.length - 1; i >= 0 && batches[i]?.batch === last.batch; i--) count++;
  return count < last.size ? count : 0;
}

/**
 * Reads an annotation file; none when it does not exist. Skipped lines go to `issues` (collect mode).
 * @example const records = await readAnnotationRecords("annotations.jsonl", new IssueCollector(file));
 */
export async function readAnnotationRecords(file: string, issues: IssueCollector): Promise<AnnotationRecord[]> {
  const records: AnnotationRecord[] = [];
  const batches: { batch?: string; size: number }[] = [];
  try {
    for await (const { value, line } of readJsonl(file, { issues })) {
      const annotation = parseAnnotationLine(value, line, issues);
      if (annotation === undefined) continue;
      const raw = value as Record<string, unknown>;
      records.push({ annotation, raw });
      batches.push({ ...(typeof raw.batch === "string" ? { batch: raw.batch } : {}), size: typeof raw.batch_size === "number" ? raw.batch_size : 1 });
    }
  } catch (error) {
    if (!isTrainsetError(error, "NOT_FOUND")) throw error;
  }
  // A batch cut short by a crash is hidden until the next store removes it.
  const partial = trailingPartialBatch(batches);
  if (partial > 0) {
    const first = records[records.length - partial];
    issues.warn("partial-batch", `the last ${partial} line(s) are an incomplete batch (a writer probably crashed); the next store removes them`, first === undefined ? {} : { line: first.annotation.line });
    records.splice(records.length - partial, partial);
  }
  return records;
}
