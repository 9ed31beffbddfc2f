/**
 * The data-safety boundary of seed 000: only anonymisation-validated processed media leave the
 * library, and nothing is written outside the chosen output folder.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { sha256File } from "../util/hashing.js";
import { TrainsetError } from "../util/errors.js";
import type { LibraryVideo } from "./video-library.js";

/**
 * Refuses a relative path that is empty, absolute, has `..`, a NUL or a backslash; returns it.
 * @example assertSafeRelativePath("annotations.csv", "output_path")
 */
export function assertSafeRelativePath(path: string, field: string): string {
  const parts = path.split("/");
  if (path === "" || isAbsolute(path) || /^[A-Za-z]:/.test(path) || path.includes("\\") || path.includes("\0") || parts.includes("..") || parts.includes("")) {
    throw new TrainsetError("DATA_SAFETY", `Cannot export to "${path}": ${field} must be a relative path that stays inside output_dir (no "..", not absolute)`, { field });
  }
  return path;
}

/**
 * Resolves `relativePath` under `root`, refusing anything that escapes it.
 * @example resolveInside("/out", "frames/video_1/frame_1.jpg", "frame_relative_path")
 */
export function resolveInside(root: string, relativePath: string, field: string): string {
  assertSafeRelativePath(relativePath, field);
  const base = resolve(root);
  const target = resolve(base, relativePath);
  const rel = relative(base, target);
  if (rel === "" || rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) {
    throw new TrainsetError("DATA_SAFETY", `Cannot export to "${relativePath}": ${field} leaves output_dir "${root}"`, { field });
  }
  return target;
}

/** What an export will take out of the library. */
export interface SafetyCheckOptions {
  /** Media (video or frame files) will be written: also require no processing error and a matching SHA-256. */
  media: boolean;
  /** Absolute path of the processed file, for the SHA-256 check. */
  processedPath: string;
}

/**
 * Refuses a video that may not be exported (before anything is written).
 * @example await assertVideoExportable(video, { media: true, processedPath });
 */
export async function assertVideoExportable(video: LibraryVideo, options: SafetyCheckOptions): Promise<void> {
  const refuse = (why: string, field: string): never => {
    throw new TrainsetError("DATA_SAFETY", `Cannot export video ${video.id}: ${why}`, { field });
  };
  if (!video.state.anonymization_validated) refuse("it is not anonymization-validated (state.anonymization_validated is false); raw or unvalidated media is never exported", "state.anonymization_validated");
  if (!options.media) return;
  if (video.state.processing_error) refuse("its processing failed (state.processing_error is true)", "state.processing_error");
  let actual: string;
  try {
    actual = await sha256File(options.processedPath);
  } catch (error) {
    throw new TrainsetError("NOT_FOUND", `Cannot export video ${video.id}: its processed file "${options.processedPath}" cannot be read`, { field: "processed_video_path", cause: error });
  }
  if (actual !== video.processed_file_sha256.toLowerCase()) {
    refuse(`its processed file "${options.processedPath}" has SHA-256 ${actual}, not the recorded processed_file_sha256 ${video.processed_file_sha256}`, "processed_file_sha256");
  }
}
