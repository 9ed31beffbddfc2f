/** A tiny annotated video library made with ffmpeg (testsrc), for the export tests. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { locateFfmpeg, sha256File, writeVideoLibrary, type VideoLibrary } from "trainset";

const run = promisify(execFile);

/** Runs ffmpeg quietly with the given arguments. */
export async function ffmpeg(args: string[]): Promise<void> {
  const { path } = await locateFfmpeg();
  await run(path, ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", ...args]);
}

/** Writes `video.mp4` (2 s, 25 fps, 50 frames) and `library.json` into `dir`; returns the library path. */
export async function makeLibrary(dir: string, patch: (lib: VideoLibrary) => void = () => undefined): Promise<string> {
  const video = join(dir, "video.mp4");
  await ffmpeg(["-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-t", "2", "-pix_fmt", "yuv420p", "-c:v", "mpeg4", "-q:v", "5", video]);
  const lib: VideoLibrary = {
    library_version: 1,
    videos: [
      {
        id: 1,
        uuid: "4b1f0c1e-0000-4000-8000-000000000001",
        video_hash: "abc123",
        processed_video_path: "video.mp4",
        processed_file_sha256: await sha256File(video),
        fps: 25,
        frame_count: 50,
        width: 160,
        height: 120,
        examination_id: 7,
        state: { anonymized: true, anonymization_validated: true, processing_error: false, ready_for_export: true },
        export_segments_by_video: false,
      },
    ],
    labels: [
      { id: 1, name: "polyp" },
      { id: 2, name: "blood" },
    ],
    information_sources: [{ id: 1, name: "manual_annotation" }],
    segments: [
      { id: 10, video_id: 1, label_id: 1, start_frame_number: 0, end_frame_number: 20, source_id: 1, prediction_meta_id: null, validated: true, export_segment: true },
      { id: 11, video_id: 1, label_id: 2, start_frame_number: 15, end_frame_number: 30, source_id: 1, prediction_meta_id: null, validated: true, export_segment: true },
      { id: 12, video_id: 1, label_id: 2, start_frame_number: 40, end_frame_number: 45, source_id: 1, prediction_meta_id: null, validated: false, export_segment: true },
      { id: 13, video_id: 1, label_id: 1, start_frame_number: 35, end_frame_number: 40, source_id: 1, prediction_meta_id: null, validated: true, export_segment: false },
    ],
    annotations: [],
  };
  patch(lib);
  const path = join(dir, "library.json");
  await writeVideoLibrary(path, lib);
  return path;
}
