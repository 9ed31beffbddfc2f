/** Minimal valid export folders and their video library, made in code (no ffmpeg) for bundle tests. */
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256Hex, writeFrameTable, writeVideoLibrary, type FrameAnnotationRow, type VideoLibrary } from "trainset";

/** Options of {@link makeExport}. */
export interface MakeExportOptions {
  /** Frames per video (default 3). */
  frames?: number;
  /** Bytes of each frame file (default 1000). */
  frameBytes?: number;
  /** Mark the video anonymization-validated in the library (default true). */
  validated?: boolean;
  /** Also export the processed video under videos/ (default false). */
  withVideo?: boolean;
}

/** Where {@link makeExport} put things. */
export interface MadeExport {
  exportDir: string;
  library: string;
  processedVideo: Buffer;
}

/** Writes `<dir>/library.json`, `<dir>/processed.mp4` and an export folder `<dir>/export`. */
export async function makeExport(dir: string, options: MakeExportOptions = {}): Promise<MadeExport> {
  const exportDir = join(dir, "export");
  const processedVideo = randomBytes(4096);
  await mkdir(join(exportDir, "frames", "video_1"), { recursive: true });
  await writeFile(join(dir, "processed.mp4"), processedVideo);
  const lib: VideoLibrary = {
    library_version: 1,
    videos: [
      {
        id: 1,
        uuid: "4b1f0c1e-0000-4000-8000-000000000001",
        video_hash: "abc123",
        processed_video_path: "processed.mp4",
        processed_file_sha256: sha256Hex(processedVideo),
        fps: 25,
        frame_count: 50,
        width: 160,
        height: 120,
        examination_id: 7,
        state: { anonymized: true, anonymization_validated: options.validated ?? true, processing_error: false, ready_for_export: true },
        export_segments_by_video: false,
      },
    ],
    labels: [{ id: 1, name: "polyp" }],
    information_sources: [{ id: 1, name: "manual_annotation" }],
    segments: [],
    annotations: [],
  };
  const library = join(dir, "library.json");
  await writeVideoLibrary(library, lib);
  const rows: FrameAnnotationRow[] = [];
  for (let i = 0; i < (options.frames ?? 3); i++) {
    const rel = `video_1/frame_${String(i).padStart(7, "0")}.jpg`;
    await writeFile(join(exportDir, "frames", rel), randomBytes(options.frameBytes ?? 1000));
    rows.push({ annotation_id: i + 1, video_id: 1, video_hash: "abc123", frame_id: 1_000_000_000 + i, frame_number: i, frame_relative_path: rel, frame_timestamp: i / 25, label_id: 1, label_name: "polyp", value: true, float_value: null, annotator: "ana", information_source_id: 1, information_source_name: "manual_annotation", model_meta_id: null, date_created: "2026-01-01T00:00:00Z", date_modified: "2026-01-01T00:00:00Z" });
  }
  await writeFrameTable(join(exportDir, "annotations.csv"), rows);
  if (options.withVideo === true) {
    await mkdir(join(exportDir, "videos"), { recursive: true });
    await writeFile(join(exportDir, "videos", "video_1_abc123.mp4"), processedVideo);
  }
  return { exportDir, library, processedVideo };
}
