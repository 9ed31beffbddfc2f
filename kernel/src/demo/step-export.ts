/** Demo: a video library with a validated video made by ffmpeg, segment backfill, export, checks. */
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { checkExport } from "../export/check-export.js";
import { ensureSegmentAnnotations } from "../export/ensure-segment-annotations.js";
import { exportAnnotated } from "../export/export-annotated.js";
import { locateFfmpeg } from "../export/ffmpeg-binary.js";
import { writeVideoLibrary } from "../export/video-library.js";
import { FileVideoSource } from "../export/video-source.js";
import { TrainsetError } from "../util/errors.js";
import { sha256File } from "../util/hashing.js";
import type { DemoStep } from "./demo-step.js";

const run = promisify(execFile);

/** Builds `video-library/` (library.json + video) and `video-library/export/`. */
export const exportStep: DemoStep = {
  title: "Video library: segment backfill + annotated frame export (endoreg-db)",
  async run(ctx) {
    const { path: ffmpeg } = await locateFfmpeg();
    const dir = join(ctx.root, "video-library");
    await mkdir(dir, { recursive: true });
    const video = join(dir, "video_1.mp4");
    try {
      await run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "4", "-pix_fmt", "yuv420p", "-c:v", "mpeg4", "-q:v", "5", video], { timeout: 120000 });
    } catch (error) {
      throw new TrainsetError("EXTERNAL_TOOL_FAILED", `Cannot make the demo video "${video}": ${(error as { stderr?: string }).stderr ?? String(error)}`, { cause: error });
    }
    const library = join(dir, "library.json");
    const seg = (id: number, label: number, start: number, end: number, exportSegment: boolean): { id: number; video_id: number; label_id: number; start_frame_number: number; end_frame_number: number; source_id: number; prediction_meta_id: null; validated: boolean; export_segment: boolean } =>
      ({ id, video_id: 1, label_id: label, start_frame_number: start, end_frame_number: end, source_id: 1, prediction_meta_id: null, validated: true, export_segment: exportSegment });
    await writeVideoLibrary(library, {
      library_version: 1,
      videos: [{ id: 1, uuid: "00000000-0000-4000-8000-000000000001", video_hash: "demo0000video0001", processed_video_path: "video_1.mp4", processed_file_sha256: await sha256File(video), fps: 25, frame_count: 100, width: 320, height: 240, examination_id: 1, state: { anonymized: true, anonymization_validated: true, processing_error: false, ready_for_export: true }, export_segments_by_video: false }],
      labels: [{ id: 2, name: "blood" }, { id: 6, name: "outside" }, { id: 7, name: "polyp" }],
      information_sources: [{ id: 1, name: "manual_annotation" }, { id: 2, name: "prediction" }],
      segments: [seg(1, 7, 0, 40, true), seg(2, 2, 30, 55, true), seg(3, 6, 80, 100, false)],
      annotations: [],
    });
    const ensured = await ensureSegmentAnnotations(await FileVideoSource.open(library), 1, { useExportFlags: true, now: "2026-01-15T09:30:00+00:00" });
    const out = join(dir, "export");
    const result = await exportAnnotated(await FileVideoSource.open(library), { video_id: 1, output_dir: out, use_export_flags: true, export_frames: true, transcode_frames: true, transcode_quality: 2 }, ctx);
    const check = await checkExport(out, { source: await FileVideoSource.open(library) });
    if (!check.ok) throw new TrainsetError("VALIDATION_ERROR", `Cannot finish the export demo: check-export failed: ${check.checks.filter((c) => c.status === "fail").map((c) => c.detail).join("; ")}`);
    ctx.note(`video-library/library.json: ${ensured.annotations_created} annotations backfilled from 2 export segments; video-library/export/: ${result.rows} rows, ${result.frames} frames as frame_<id>.jpg; check-export passed`);
  },
};
