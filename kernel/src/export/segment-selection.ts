/** Which segments of a video an export or backfill works on (endoreg-db's rules). */
import { TrainsetError } from "../util/errors.js";
import type { LibraryAnnotation, LibrarySegment, LibraryVideo } from "./video-library.js";

/** How segments are chosen: explicit ids, export flags, or every segment. */
export interface SegmentSelection {
  /** Explicit subset; ids must belong to the video. */
  segmentIds?: readonly number[];
  /** `export_segment`, or every segment when the video has `export_segments_by_video`. */
  useExportFlags?: boolean;
}

/**
 * Picks the segments of `video` that a selection names (all of them when it names none).
 * @example selectSegments(video, source.segments(video.id), { useExportFlags: true })
 */
export function selectSegments(video: LibraryVideo, segments: readonly LibrarySegment[], selection: SegmentSelection): LibrarySegment[] {
  if (selection.segmentIds !== undefined) {
    const byId = new Map(segments.map((s) => [s.id, s]));
    return selection.segmentIds.map((id) => {
      const segment = byId.get(id);
      if (segment === undefined) throw new TrainsetError("NOT_FOUND", `Cannot select segment ${id}: it is not a segment of video ${video.id}`, { field: "segment_ids" });
      return segment;
    });
  }
  if (selection.useExportFlags === true) return segments.filter((s) => s.export_segment || video.export_segments_by_video);
  return [...segments];
}

/**
 * True when an annotation belongs to a segment: same label, same model meta, and the segment's
 * information source or `manual_annotation` (what the backfill writes); the frame range is checked
 * by the caller.
 */
export function annotationMatchesSegment(annotation: LibraryAnnotation, segment: LibrarySegment, manualSourceId: number | undefined): boolean {
  return (
    annotation.label_id === segment.label_id &&
    annotation.model_meta_id === segment.prediction_meta_id &&
    (annotation.information_source_id === segment.source_id || (manualSourceId !== undefined && annotation.information_source_id === manualSourceId))
  );
}
