/**
 * Materialises segment labels as frame-level annotations (endoreg-db's
 * `ensure_segment_annotations`): one `value=true` annotation per frame per segment label,
 * source `manual_annotation`, skipping any (frame, label, source, model meta, annotator) that exists.
 */
import { throwIfAborted, type RunControl } from "../util/run-control.js";
import { selectSegments, type SegmentSelection } from "./segment-selection.js";
import type { LibraryAnnotation } from "./video-library.js";
import type { VideoSource } from "./video-source.js";

/** The information source name the backfill writes. */
export const MANUAL_ANNOTATION_SOURCE = "manual_annotation";

/** Options of {@link ensureSegmentAnnotations}. */
export interface EnsureSegmentAnnotationsOptions extends SegmentSelection, RunControl {
  /** Count what would be created, write nothing (default false). */
  dryRun?: boolean;
  /** Only segments with `validated: true` (default true, like the UI's backfill). */
  validatedOnly?: boolean;
  /** Annotator recorded on new rows (default null). */
  annotator?: string | null;
  /** Creation time of new rows (default now), ISO 8601. */
  now?: string;
}

/** The counters endoreg-db returns. */
export interface EnsureSegmentAnnotationsResult {
  total_segments: number;
  segments_processed: number;
  skipped_no_label: number;
  skipped_no_frames: number;
  annotations_needed: number;
  annotations_created: number;
}

/**
 * Creates the missing frame annotations of a video's selected segments; idempotent.
 * @example const r = await ensureSegmentAnnotations(source, 1, { useExportFlags: true });
 */
export async function ensureSegmentAnnotations(source: VideoSource, videoId: number, options: EnsureSegmentAnnotationsOptions = {}): Promise<EnsureSegmentAnnotationsResult> {
  const video = source.getVideo(videoId);
  const validatedOnly = options.validatedOnly ?? true;
  const segments = selectSegments(video, source.segments(videoId), options).filter((s) => !validatedOnly || s.validated);
  const labels = new Set(source.labels().map((l) => l.id));
  const dryRun = options.dryRun ?? false;
  const sourceId = source.informationSourceId(MANUAL_ANNOTATION_SOURCE, !dryRun);
  const annotator = options.annotator ?? null;
  const now = options.now ?? new Date().toISOString();
  const result: EnsureSegmentAnnotationsResult = { total_segments: segments.length, segments_processed: 0, skipped_no_label: 0, skipped_no_frames: 0, annotations_needed: 0, annotations_created: 0 };
  const keyOf = (a: Pick<LibraryAnnotation, "frame_id" | "label_id" | "information_source_id" | "model_meta_id" | "annotator">): string =>
    JSON.stringify([a.frame_id, a.label_id, a.information_source_id, a.model_meta_id, a.annotator]);
  const pending: Array<Omit<LibraryAnnotation, "id">> = [];
  const seen = new Set<string>();
  for (const segment of segments) {
    throwIfAborted(options.signal, `ensure segment annotations of video ${videoId}`);
    if (segment.label_id === null || !labels.has(segment.label_id)) {
      result.skipped_no_label++;
      continue;
    }
    const frames = source.frames(video, segment.start_frame_number, segment.end_frame_number);
    if (frames.length === 0) {
      result.skipped_no_frames++;
      continue;
    }
    for (const a of source.annotationsForFrames(new Set(frames.map((f) => f.id)))) seen.add(keyOf(a));
    for (const frame of frames) {
      const row = { frame_id: frame.id, label_id: segment.label_id, value: true, float_value: null, annotator, information_source_id: sourceId ?? null, model_meta_id: segment.prediction_meta_id, date_created: now, date_modified: now };
      const key = keyOf(row);
      if (seen.has(key)) continue;
      seen.add(key);
      pending.push(row);
    }
    result.segments_processed++;
    options.onProgress?.({ phase: "ensure annotations", done: result.segments_processed, total: segments.length, unit: "segments" });
  }
  result.annotations_needed = pending.length;
  if (!dryRun && pending.length > 0) result.annotations_created = (await source.addAnnotations(pending)).length;
  return result;
}
