/**
 * The per-user annotation store (seed 004's AnnotationStorageService):
 * `<root>/annotations/<user>/annotations.jsonl`, one rated frame per line
 * (`{"frame_path","rating","timestamp","metadata"}`; Aura's PascalCase lines are read too).
 * A batch is validated whole before anything is written (Aura appended the good records that came
 * before a bad one), appends are locked across processes and never tear a line, and a torn tail
 * left by a crash is repaired and reported on the next append.
 */
import { randomBytes } from "node:crypto";
import { readdir, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { annotationRatingMessage, readAnnotationRecords, type StoredAnnotation } from "../formats/annotation-lines.js";
import { errorMessage, systemErrorCode, ioError, TrainsetError } from "../util/errors.js";
import { IssueCollector, type ValidationIssue } from "../util/issues.js";
import { openJsonlAppender, repairTornTail, type TailRepair } from "../util/jsonl.js";
import { repairPartialBatch, type PartialBatchRepair } from "./annotation-batch.js";
import { assertSafeName, unsafeNameReason } from "./safe-name.js";
import { storePaths } from "./store-layout.js";
import { withStoreLock } from "./store-lock.js";

/** One rated frame to store (seed 004 AnnotationItemDto). */
export interface AnnotationItem {
  framePath: string;
  /** Importance from 0.0 to 1.0. */
  rating: number;
  metadata?: Record<string, unknown>;
  /** ISO time; default now. */
  timestamp?: string;
}

/** A stored annotation with its line in the user's file. */
export type { StoredAnnotation } from "../formats/annotation-lines.js";

/** What `storeAnnotations` did. */
export interface StoreAnnotationsResult {
  userId: string;
  stored: number;
  file: string;
  /** A torn tail from an older crash that was repaired before appending. */
  repair?: TailRepair;
  /** The complete lines of a batch cut short by an older crash, removed before appending. */
  partialBatch?: PartialBatchRepair;
}

/** What `getAnnotations` read. */
export interface GetAnnotationsResult {
  userId: string;
  annotations: StoredAnnotation[];
  /** Lines skipped (torn tail, broken JSON, invalid records). */
  issues: ValidationIssue[];
}

/** Seed 004 AnnotationStatsDto. */
export interface AnnotationStats {
  userId: string;
  totalAnnotations: number;
  averageRating: number;
  oldestAnnotation?: string;
  newestAnnotation?: string;
}

const ACTION = "store annotations";

/**
 * Checks a batch the way seed 004 does, all before writing: user id, then each item's frame path
 * and rating. Throws VALIDATION_ERROR with the seed's message and the item's field.
 * @example validateAnnotationBatch("default-user", [{ framePath: "f1.jpg", rating: 0.9 }])
 */
export function validateAnnotationBatch(userId: unknown, items: readonly AnnotationItem[]): void {
  assertSafeName("UserId", userId, ACTION);
  items.forEach((item, i) => {
    const raw = item as unknown as Record<string, unknown>;
    if (typeof raw.framePath !== "string" || raw.framePath.trim() === "") {
      throw new TrainsetError("VALIDATION_ERROR", `Cannot ${ACTION}: FramePath cannot be null or empty (annotation ${i})`, { field: `annotations[${i}].framePath` });
    }
    if (typeof raw.rating !== "number" || !Number.isFinite(raw.rating) || raw.rating < 0 || raw.rating > 1) {
      throw new TrainsetError("VALIDATION_ERROR", `Cannot ${ACTION}: ${annotationRatingMessage(raw.rating)} (annotation ${i})`, { field: `annotations[${i}].rating` });
    }
    if (raw.timestamp !== undefined && (typeof raw.timestamp !== "string" || Number.isNaN(Date.parse(raw.timestamp)))) {
      throw new TrainsetError("VALIDATION_ERROR", `Cannot ${ACTION}: Timestamp must be an ISO date, got ${JSON.stringify(raw.timestamp)} (annotation ${i})`, { field: `annotations[${i}].timestamp` });
    }
    if (raw.metadata !== undefined && (typeof raw.metadata !== "object" || raw.metadata === null || Array.isArray(raw.metadata))) {
      throw new TrainsetError("VALIDATION_ERROR", `Cannot ${ACTION}: Metadata must be an object (annotation ${i})`, { field: `annotations[${i}].metadata` });
    }
  });
}

/**
 * Appends a batch to the user's file; nothing is written when any item is invalid.
 * @example await storeAnnotations(root, "default-user", [{ framePath: "frame001.jpg", rating: 0.9 }])
 */
export async function storeAnnotations(root: string, userId: string, items: readonly AnnotationItem[]): Promise<StoreAnnotationsResult> {
  validateAnnotationBatch(userId, items);
  const file = storePaths(root).annotationFile(userId);
  const now = new Date().toISOString();
  // Multi-item batches are tagged so an append cut short by a crash can be undone whole.
  const batch = items.length > 1 ? { batch: randomBytes(6).toString("hex"), batch_size: items.length } : {};
  const lines = items.map((item) => ({
    frame_path: item.framePath,
    rating: item.rating,
    timestamp: item.timestamp ?? now,
    ...(item.metadata === undefined ? {} : { metadata: item.metadata }),
    ...batch,
  }));
  return withStoreLock(file, async () => {
    const repair = await repairTornTail(file);
    const partialBatch = await repairPartialBatch(file);
    const out = await openJsonlAppender(file, { fsync: true });
    try {
      await out.append(lines);
    } finally {
      await out.close();
    }
    return { userId, stored: lines.length, file, ...(repair === undefined ? {} : { repair }), ...(partialBatch === undefined ? {} : { partialBatch }) };
  });
}

/**
 * Loads every annotation of a user (none when the user has no file). Bad lines are skipped and
 * listed in `issues`, so one broken line never hides the rest.
 * @example const { annotations } = await getAnnotations(root, "default-user");
 */
export async function getAnnotations(root: string, userId: string): Promise<GetAnnotationsResult> {
  assertSafeName("UserId", userId, "get annotations");
  const file = storePaths(root).annotationFile(userId);
  const issues = new IssueCollector(file, { mode: "collect" });
  const annotations = (await readAnnotationRecords(file, issues)).map((r) => r.annotation);
  return { userId, annotations, issues: issues.issues };
}

/**
 * Count, average rating and date range of a user's annotations (seed 004 AnnotationStatsDto).
 * @example (await annotationStats(root, "default-user")).averageRating
 */
export async function annotationStats(root: string, userId: string): Promise<AnnotationStats> {
  const { annotations } = await getAnnotations(root, userId);
  return summarise(userId, annotations);
}

/** Stats of already-loaded annotations. Pure. */
export function summarise(userId: string, annotations: readonly StoredAnnotation[]): AnnotationStats {
  if (annotations.length === 0) return { userId, totalAnnotations: 0, averageRating: 0 };
  let sum = 0;
  let oldest: number | undefined;
  let newest: number | undefined;
  for (const a of annotations) {
    sum += a.rating;
    const t = Date.parse(a.timestamp);
    if (Number.isNaN(t)) continue;
    if (oldest === undefined || t < oldest) oldest = t;
    if (newest === undefined || t > newest) newest = t;
  }
  return {
    userId,
    totalAnnotations: annotations.length,
    averageRating: sum / annotations.length,
    ...(oldest === undefined ? {} : { oldestAnnotation: new Date(oldest).toISOString() }),
    ...(newest === undefined ? {} : { newestAnnotation: new Date(newest).toISOString() }),
  };
}

/**
 * Removes every annotation of a user (the file is renamed away first, so a crash never leaves half).
 * @example await clearAnnotations(root, "default-user") // { removed: true }
 */
export async function clearAnnotations(root: string, userId: string): Promise<{ userId: string; removed: boolean }> {
  assertSafeName("UserId", userId, "clear annotations");
  const file = storePaths(root).annotationFile(userId);
  return withStoreLock(file, async () => {
    const trash = `${file}.cleared-${process.pid}`;
    try {
      await rename(file, trash);
    } catch (error) {
      if (systemErrorCode(error) === "ENOENT") return { userId, removed: false };
      throw ioError("clear annotations in", file, error);
    }
    await rm(trash, { force: true });
    return { userId, removed: true };
  });
}

/** User ids that have an annotation folder in the store. */
export async function listAnnotationUsers(root: string): Promise<string[]> {
  const dir = storePaths(root).annotations;
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && unsafeNameReason("UserId", e.name) === undefined).map((e) => e.name).sort();
  } catch (error) {
    if (systemErrorCode(error) === "ENOENT") return [];
    throw new TrainsetError("IO_ERROR", `Cannot list annotation users in "${dir}": ${errorMessage(error)}`, { file: dir, cause: error });
  }
}

/** Whether the user's annotation file exists. */
export async function hasAnnotations(root: string, userId: string): Promise<boolean> {
  const file = storePaths(root).annotationFile(assertSafeName("UserId", userId, "get annotations"));
  return stat(dirname(file)).then(() => stat(file).then((s) => s.size > 0, () => false), () => false);
}
