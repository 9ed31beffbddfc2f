/** Demo: a short video made with ffmpeg, its frames extracted, and a frame-annotation table. */
import { execFile } from "node:child_process";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { locateFfmpeg } from "../export/ffmpeg-binary.js";
import { writeFrameTable, type FrameAnnotationRow } from "../formats/frame-table.js";
import { TrainsetError } from "../util/errors.js";
import type { DemoStep } from "./demo-step.js";

const run = promisify(execFile);

async function ffmpeg(path: string, args: string[]): Promise<void> {
  try {
    await run(path, ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", ...args], { timeout: 120000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new TrainsetError("EXTERNAL_TOOL_FAILED", `Cannot run ffmpeg ${args.join(" ")}: ${stderr.trim()}`, { cause: error });
  }
}

/** Labels over frame ranges [start, end) of the 5 fps frame sequence, like endoreg segments. */
const SEGMENTS: ReadonlyArray<{ label: string; labelId: number; start: number; end: number }> = [
  { label: "polyp", labelId: 7, start: 0, end: 10 },
  { label: "blood", labelId: 2, start: 6, end: 14 },
  { label: "outside", labelId: 6, start: 15, end: 20 },
];

/** Builds `video/video_1.mp4`, `video-export/frames/video_1/*.jpg` and the annotation table. */
export const videoStep: DemoStep = {
  title: "Video frames + frame-annotation table (ffmpeg)",
  async run(ctx) {
    const bin = await locateFfmpeg();
    const videoDir = join(ctx.root, "video");
    const exportDir = join(ctx.root, "video-export");
    const framesDir = join(exportDir, "frames", "video_1");
    await mkdir(videoDir, { recursive: true });
    await mkdir(framesDir, { recursive: true });
    const video = join(videoDir, "video_1.mp4");
    await ffmpeg(bin.path, ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "4", "-pix_fmt", "yuv420p", "-c:v", "mpeg4", "-q:v", "5", video]);
    ctx.onProgress?.({ phase: "extract frames", done: 0, total: 20, unit: "frames" });
    await ffmpeg(bin.path, ["-i", video, "-start_number", "0", "-vf", "fps=5", "-qscale:v", "2", join(framesDir, "frame_%07d.jpg")]);
    const frames = (await readdir(framesDir)).filter((f) => f.endsWith(".jpg")).sort();
    ctx.onProgress?.({ phase: "extract frames", done: frames.length, total: frames.length, unit: "frames" });
    const rows: FrameAnnotationRow[] = [];
    const created = "2026-01-15T09:30:00+00:00";
    frames.forEach((file, i) => {
      for (const segment of SEGMENTS) {
        rows.push({
          annotation_id: rows.length + 1,
          video_id: 1,
          video_hash: "demo0000video0001",
          frame_id: 1000 + i,
          frame_number: i * 5,
          frame_relative_path: `video_1/${file}`,
          frame_timestamp: i / 5,
          label_id: segment.labelId,
          label_name: segment.label,
          value: i >= segment.start && i < segment.end,
          float_value: null,
          annotator: "demo",
          information_source_id: 1,
          information_source_name: "manual_annotation",
          model_meta_id: null,
          date_created: created,
          date_modified: created,
        });
      }
    });
    rows.sort((a, b) => a.frame_number - b.frame_number || a.label_id - b.label_id || a.annotation_id - b.annotation_id);
    await writeFrameTable(join(exportDir, "annotations.csv"), rows);
    await writeFrameTable(join(exportDir, "annotations.json"), rows);
    ctx.note(`video/video_1.mp4 (4 s, ffmpeg ${bin.version} from ${bin.source}); video-export/: ${frames.length} frames, ${rows.length} annotation rows as CSV and JSON`);
  },
};
