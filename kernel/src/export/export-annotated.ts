/**
 * endoreg-db's `export_frame_annot` / `export-annotated`: the frame-annotation table of a video's
 * selected segments, plus optional `videos/` and `frames/video_<id>/` media, behind the
 * data-safety boundary (checked before anything is written). The table is written last, so an
 * interrupted export has no table and a rerun completes it (existing frame files are kept).
 */
import { copyFile, mkdir, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { sortFrameTableRows, writeFrameTable, type FrameAnnotationRow } from "../formats/frame-table.js";
import { ioError, TrainsetError } from "../util/errors.js";
import { throwIfAborted, type RunControl } from "../util/run-control.js";
import { MANUAL_ANNOTATION_SOURCE } from "./ensure-segment-annotations.js";
import { assertSafeRelativePath, assertVideoExportable, resolveInside } from "./export-safety.js";
import { parseExportPayload, type ExportAnnotatedPayload } from "./export-payload.js";
import { extractFrames, frameTimestamp } from "./frame-extraction.js";
import { annotationMatchesSegment, selectSegments } from "./segment-selection.js";
import type { LibraryFrame } from "./video-library.js";
import type { VideoSource } from "./video-source.js";

/** What {@link exportAnnotated} wrote. */
export interface ExportAnnotatedResult {
  outputDir: string;
  tablePath: string;
  rows: number;
  frames: number;
  framesExtracted: number;
  framesSkipped: number;
  videoPath?: string;
}

/** Cancellation, progress, and how many frames one ffmpeg run extracts (default 1000). */
export interface ExportAnnotatedControl extends RunControl {
  frameBatchSize?: number;
}

/**
 * Exports a video's frame annotations (and media) into `payload.output_dir`.
 * @example await exportAnnotated(await FileVideoSource.open("library.json"), { video_id: 1, output_dir: "out", export_frames: true, transcode_frames: true });
 */
export async function exportAnnotated(source: VideoSource, payload: ExportAnnotatedPayload, control: ExportAnnotatedControl = {}): Promise<ExportAnnotatedResult> {
  const p = parseExportPayload(payload);
  const outputDir = resolve(p.output_dir);
  const tablePath = resolveInside(outputDir, assertSafeRelativePath(p.output_path, "output_path"), "output_path");
  const video = source.getVideo(p.video_id);
  const processedPath = source.processedVideoPath(video);
  const media = p.export_videos || p.export_frames;
  await assertVideoExportable(video, { media, processedPath });
  const ext = p.transcode_ext;
  const videoName = `video_${video.id}_${video.video_hash}.mp4`;
  const videoTarget = p.export_videos ? resolveInside(outputDir, `videos/${videoName}`, "video_hash") : undefined;

  const selection = { ...(p.segment_ids === undefined ? {} : { segmentIds: p.segment_ids }), useExportFlags: p.use_export_flags };
  const segments = selectSegments(video, source.segments(video.id), selection);
  const labels = new Map(source.labels().map((l) => [l.id, l.name]));
  const sources = new Map(source.informationSources().map((s) => [s.id, s.name]));
  const manualId = source.informationSourceId(MANUAL_ANNOTATION_SOURCE, false);
  const frames = new Map<number, LibraryFrame>();
  const rowsById = new Map<number, FrameAnnotationRow>();
  const relPath = (f: LibraryFrame): string =>
    p.use_frame_pk_paths ? `frame_${f.id}.${ext}` : p.transcode_frames ? `frame_${String(f.frame_number).padStart(7, "0")}.${ext}` : assertSafeRelativePath(f.relative_path, `frames[${f.id}].relative_path`);
  for (const segment of segments) {
    const segFrames = source.frames(video, segment.start_frame_number, segment.end_frame_number);
    const byId = new Map(segFrames.map((f) => [f.id, f]));
    for (const a of source.annotationsForFrames(new Set(byId.keys()))) {
      if (rowsById.has(a.id) || !annotationMatchesSegment(a, segment, manualId)) continue;
      if (p.only_true && !a.value) continue;
      const frame = byId.get(a.frame_id) as LibraryFrame;
      if (a.information_source_id === null || !sources.has(a.information_source_id)) {
        throw new TrainsetError("VALIDATION_ERROR", `Cannot export annotation ${a.id}: it has no known information source (information_source_id ${String(a.information_source_id)})`, { file: source.name, field: "information_source_id" });
      }
      frames.set(frame.id, frame);
      rowsById.set(a.id, {
        annotation_id: a.id,
        video_id: video.id,
        video_hash: video.video_hash,
        frame_id: frame.id,
        frame_number: frame.frame_number,
        frame_relative_path: relPath(frame),
        frame_timestamp: frameTimestamp(frame.frame_number, video.fps),
        label_id: a.label_id,
        label_name: labels.get(a.label_id) ?? "",
        value: a.value,
        float_value: a.float_value,
        annotator: a.annotator,
        information_source_id: a.information_source_id,
        information_source_name: sources.get(a.information_source_id) ?? null,
        model_meta_id: a.model_meta_id,
        date_created: a.date_created,
        date_modified: a.date_modified,
      });
    }
  }
  const rows = sortFrameTableRows([...rowsById.values()]);
  const result: ExportAnnotatedResult = { outputDir, tablePath, rows: rows.length, frames: frames.size, framesExtracted: 0, framesSkipped: 0 };

  if (videoTarget !== undefined) {
    throwIfAborted(control.signal, `export video ${video.id}`);
    await mkdir(join(outputDir, "videos"), { recursive: true });
    const temp = `${videoTarget}.${process.pid}.tmp`;
    try {
      await copyFile(processedPath, temp);
      await rename(temp, videoTarget);
    } catch (error) {
      await rm(temp, { force: true });
      throw ioError("copy processed video to", videoTarget, error);
    }
    result.videoPath = videoTarget;
  }
  if (p.export_frames && frames.size > 0) {
    const frameDir = resolveInside(outputDir, `frames/video_${video.id}`, "video_id");
    const byNumber = new Map([...frames.values()].map((f) => [f.frame_number, f]));
    if (p.transcode_frames) {
      const r = await extractFrames(processedPath, [...byNumber.keys()], frameDir, {
        ext,
        quality: p.transcode_quality,
        fileName: (n) => relPath(byNumber.get(n) as LibraryFrame),
        ...(control.frameBatchSize === undefined ? {} : { batchSize: control.frameBatchSize }),
        ...(control.signal === undefined ? {} : { signal: control.signal }),
        ...(control.onProgress === undefined ? {} : { onProgress: control.onProgress }),
      });
      result.framesExtracted = r.extracted;
      result.framesSkipped = r.skipped;
    } else {
      const from = source.frameDir(video);
      if (from === undefined) throw new TrainsetError("NOT_FOUND", `Cannot export frames of video ${video.id}: the library has no frame_dir for it; use transcode_frames to extract them from the processed video`, { field: "frame_dir" });
      await mkdir(frameDir, { recursive: true });
      let done = 0;
      for (const f of frames.values()) {
        throwIfAborted(control.signal, `export frames of video ${video.id}`);
        const src = resolveInside(from, assertSafeRelativePath(f.relative_path, "relative_path"), "relative_path");
        const dest = resolveInside(frameDir, relPath(f), "frame_relative_path");
        await copyFile(src, dest).catch((error: unknown) => {
          throw ioError("copy frame", src, error);
        });
        control.onProgress?.({ phase: "copy frames", done: ++done, total: frames.size, unit: "frames" });
      }
      result.framesExtracted = done;
    }
  }
  throwIfAborted(control.signal, `export annotations of video ${video.id}`);
  await writeFrameTable(tablePath, rows, { format: p.output_format });
  return result;
}
