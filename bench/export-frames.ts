/**
 * Bench `export-frames` (issue 7): frame export of a 20 s 720p 30 fps video to JPG (600 frames,
 * -qscale:v 2) with `exportAnnotated` (exact frames via select, frame_<id>.jpg names, table
 * written), side by side with the plain `ffmpeg -i v.mp4 -vf fps=30 -q:v 2 out/%07d.jpg` in the
 * same run. Goal: trainset <= 1.15x the plain command's time. Both run 3 times, alternating;
 * medians are reported. trainset is timed in-process (the library call, no Node start-up).
 */
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { ensureSegmentAnnotations, exportAnnotated, FileVideoSource, locateFfmpeg, sha256File, writeVideoLibrary } from "trainset";
import { formatSeconds, median, runMeasured, type BenchEntry } from "./harness.js";

const REPEATS = 3;

/** The export-frames bench entry. */
export const exportFramesBench: BenchEntry = {
  name: "export-frames",
  issue: 7,
  async run(ctx) {
    const seconds = ctx.quick ? 4 : 20;
    const frames = seconds * 30;
    const dir = join(ctx.workDir, "export-frames");
    await mkdir(dir, { recursive: true });
    const { path: ffmpeg, version } = await locateFfmpeg();
    const video = join(dir, `v_${seconds}s.mp4`);
    if (!existsSync(video)) {
      ctx.log(`generating ${seconds} s 1280x720 30 fps test video`);
      await runMeasured(ffmpeg, ["-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=30", "-t", String(seconds), "-pix_fmt", "yuv420p", "-c:v", "mpeg4", "-q:v", "3", video]);
    }
    const library = join(dir, "library.json");
    await writeVideoLibrary(library, {
      library_version: 1,
      videos: [{ id: 1, uuid: "bench", video_hash: "bench", processed_video_path: `v_${seconds}s.mp4`, processed_file_sha256: await sha256File(video), fps: 30, frame_count: frames, width: 1280, height: 720, examination_id: null, state: { anonymized: true, anonymization_validated: true, processing_error: false, ready_for_export: true }, export_segments_by_video: true }],
      labels: [{ id: 1, name: "polyp" }],
      information_sources: [{ id: 1, name: "manual_annotation" }],
      segments: [{ id: 1, video_id: 1, label_id: 1, start_frame_number: 0, end_frame_number: frames, source_id: 1, prediction_meta_id: null, validated: true, export_segment: true }],
      annotations: [],
    });
    await ensureSegmentAnnotations(await FileVideoSource.open(library), 1, { useExportFlags: true });
    const source = await FileVideoSource.open(library);
    const ours: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const plainOut = join(dir, "plain");
      await rm(plainOut, { recursive: true, force: true });
      await mkdir(plainOut);
      plain.push((await runMeasured(ffmpeg, ["-nostdin", "-y", "-loglevel", "error", "-i", video, "-vf", "fps=30", "-q:v", "2", join(plainOut, "%07d.jpg")])).seconds);
      const out = join(dir, "trainset");
      await rm(out, { recursive: true, force: true });
      const started = process.hrtime.bigint();
      const r = await exportAnnotated(source, { video_id: 1, output_dir: out, use_export_flags: true, export_frames: true, transcode_frames: true, transcode_fps: 30, transcode_quality: 2 });
      ours.push(Number(process.hrtime.bigint() - started) / 1e9);
      if (r.framesExtracted !== frames) throw new Error(`bench: expected ${frames} frames, got ${r.framesExtracted}`);
    }
    const t = median(ours);
    const p = median(plain);
    const ratio = t / p;
    ctx.log(`trainset ${ours.map(formatSeconds).join(", ")}; plain ffmpeg ${plain.map(formatSeconds).join(", ")}`);
    return [
      {
        case: `frame export, ${seconds} s 720p 30 fps -> ${frames} JPG (q 2)`,
        trainset: formatSeconds(t),
        peer: `${formatSeconds(p)} (ffmpeg ${version} -vf fps=30 -q:v 2)`,
        ratio,
        goal: "<= 1.15x plain ffmpeg",
        met: ratio <= 1.15,
        notes: "ratio = trainset / plain; trainset also writes the 600-row CSV and checks the SHA-256",
      },
    ];
  },
};
