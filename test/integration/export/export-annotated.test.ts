import assert from "node:assert/strict";
import { access, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  checkExport,
  ensureSegmentAnnotations,
  exportAnnotated,
  extractFrames,
  FileVideoSource,
  FRAME_ID_STRIDE,
  FRAME_TABLE_FIELDS,
  readFrameTable,
  readVideoLibrary,
  TrainsetError,
} from "trainset";
import { useTempDir } from "../../support/tmp.js";
import { ffmpeg, makeLibrary } from "./video-fixture.js";

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe("ensureSegmentAnnotations() on a video library", () => {
  const tmp = useTempDir();

  it("creates one annotation per frame per validated export segment and nothing on a second run", async () => {
    const lib = await makeLibrary(tmp());
    const dry = await ensureSegmentAnnotations(await FileVideoSource.open(lib), 1, { useExportFlags: true, dryRun: true });
    assert.deepEqual(dry, { total_segments: 2, segments_processed: 2, skipped_no_label: 0, skipped_no_frames: 0, annotations_needed: 35, annotations_created: 0 });
    assert.equal((await readVideoLibrary(lib)).annotations.length, 0);
    const first = await ensureSegmentAnnotations(await FileVideoSource.open(lib), 1, { useExportFlags: true });
    assert.equal(first.annotations_created, 35);
    const stored = await readVideoLibrary(lib);
    assert.equal(stored.annotations.length, 35);
    assert.ok(stored.annotations.every((a) => a.value && a.information_source_id === 1));
    const second = await ensureSegmentAnnotations(await FileVideoSource.open(lib), 1, { useExportFlags: true });
    assert.equal(second.annotations_needed, 0);
    assert.equal(second.annotations_created, 0);
    assert.equal((await readVideoLibrary(lib)).annotations.length, 35);
  });

  it("counts segments without a label and beyond the last frame as skipped", async () => {
    const lib = await makeLibrary(tmp(), (l) => {
      l.segments.push({ id: 20, video_id: 1, label_id: null, start_frame_number: 0, end_frame_number: 5, source_id: 1, prediction_meta_id: null, validated: true, export_segment: true });
      l.segments.push({ id: 21, video_id: 1, label_id: 1, start_frame_number: 60, end_frame_number: 70, source_id: 1, prediction_meta_id: null, validated: true, export_segment: true });
    });
    const r = await ensureSegmentAnnotations(await FileVideoSource.open(lib), 1, { useExportFlags: true, validatedOnly: true });
    assert.equal(r.total_segments, 4);
    assert.equal(r.skipped_no_label, 1);
    assert.equal(r.skipped_no_frames, 1);
    assert.equal(r.segments_processed, 2);
  });
});

describe("exportAnnotated() with real ffmpeg", () => {
  const tmp = useTempDir();

  async function prepared(patch?: Parameters<typeof makeLibrary>[1]): Promise<FileVideoSource> {
    const lib = await makeLibrary(tmp(), patch);
    await ensureSegmentAnnotations(await FileVideoSource.open(lib), 1, { useExportFlags: true, now: "2026-01-15T09:30:00+00:00" });
    return FileVideoSource.open(lib);
  }

  it("writes the 17-column CSV and one frame_<id>.jpg per annotated frame", async () => {
    const source = await prepared();
    const out = join(tmp(), "out");
    const result = await exportAnnotated(source, { video_id: 1, output_dir: out, use_export_flags: true, export_frames: true, transcode_frames: true });
    assert.equal(result.rows, 35);
    assert.equal(result.frames, 30);
    const text = await readFile(join(out, "annotations.csv"), "utf8");
    assert.equal(text.split("\r\n")[0], FRAME_TABLE_FIELDS.join(","));
    const files = (await readdir(join(out, "frames", "video_1"))).sort();
    assert.equal(files.length, 30);
    assert.ok(files.includes(`frame_${FRAME_ID_STRIDE + 29}.jpg`));
    const { rows } = await readFrameTable(join(out, "annotations.csv"));
    assert.deepEqual(rows.map((r) => r.frame_number).slice(0, 3), [0, 1, 2]);
    const row = rows.find((r) => r.frame_number === 15 && r.label_name === "blood");
    assert.equal(row?.frame_relative_path, `frame_${FRAME_ID_STRIDE + 15}.jpg`);
    assert.equal(row?.information_source_name, "manual_annotation");
    const check = await checkExport(out, { source });
    assert.ok(check.ok, JSON.stringify(check.checks));
    assert.deepEqual(check.checks.map((c) => c.status), ["pass", "pass", "pass", "pass", "skip"]);
  });

  it("writes a JSON list of row objects with the 17 fields in order", async () => {
    const source = await prepared();
    const out = join(tmp(), "out");
    await exportAnnotated(source, { video_id: 1, output_dir: out, output_format: "json", segment_ids: [11] });
    const data = JSON.parse(await readFile(join(out, "annotations.json"), "utf8")) as Array<Record<string, unknown>>;
    assert.equal(data.length, 15);
    assert.deepEqual(Object.keys(data[0] ?? {}), [...FRAME_TABLE_FIELDS]);
    assert.equal(data[0]?.["label_name"], "blood");
    assert.equal(data[0]?.["frame_timestamp"], 15 / 25);
  });

  it("maps frame numbers to the video's real fps and extracts that exact frame when transcode_fps differs", async () => {
    const source = await prepared();
    const out = join(tmp(), "out");
    await exportAnnotated(source, { video_id: 1, output_dir: out, segment_ids: [11], export_frames: true, transcode_frames: true, transcode_fps: 30, use_frame_pk_paths: false });
    const { rows } = await readFrameTable(join(out, "annotations.csv"));
    const row = rows.find((r) => r.frame_number === 24);
    assert.equal(row?.frame_timestamp, 24 / 25);
    assert.equal(row?.frame_relative_path, "frame_0000024.jpg");
    const reference = join(tmp(), "ref.jpg");
    await ffmpeg(["-i", join(tmp(), "video.mp4"), "-vf", "select=eq(n\\,24)", "-vsync", "0", "-qscale:v", "2", "-frames:v", "1", reference]);
    assert.ok((await readFile(join(out, "frames", "video_1", "frame_0000024.jpg"))).equals(await readFile(reference)));
  });

  it("passes the quality flag through to ffmpeg", async () => {
    const dir = tmp();
    await makeLibrary(dir);
    const best = await extractFrames(join(dir, "video.mp4"), [3, 4], join(dir, "q2"), { quality: 2 });
    const worst = await extractFrames(join(dir, "video.mp4"), [3, 4], join(dir, "q31"), { quality: 31 });
    assert.deepEqual(worst.lastArgs.slice(worst.lastArgs.indexOf("-qscale:v"), worst.lastArgs.indexOf("-qscale:v") + 2), ["-qscale:v", "31"]);
    assert.ok(best.lastArgs.includes("select=between(n\\,3\\,4)"));
    const size = async (d: string): Promise<number> => (await stat(join(dir, d, "frame_0000003.jpg"))).size;
    assert.ok((await size("q31")) < (await size("q2")));
  });

  it("refuses a video that is not anonymization-validated before writing anything", async () => {
    const source = await prepared((l) => {
      if (l.videos[0]) l.videos[0].state.anonymization_validated = false;
    });
    const out = join(tmp(), "out");
    await assert.rejects(exportAnnotated(source, { video_id: 1, output_dir: out, export_frames: true, transcode_frames: true }), (e: unknown) => e instanceof TrainsetError && e.code === "DATA_SAFETY" && /anonymization-validated/.test(e.message));
    assert.equal(await exists(out), false);
  });

  it("refuses media export when the processed file's SHA-256 differs from the recorded one", async () => {
    const source = await prepared((l) => {
      if (l.videos[0]) l.videos[0].processed_file_sha256 = "0".repeat(64);
    });
    const out = join(tmp(), "out");
    await assert.rejects(exportAnnotated(source, { video_id: 1, output_dir: out, export_videos: true }), /SHA-256/);
    assert.equal(await exists(out), false);
  });

  it("refuses an output_path that leaves output_dir", async () => {
    const source = await prepared();
    const out = join(tmp(), "out");
    await assert.rejects(exportAnnotated(source, { video_id: 1, output_dir: out, output_path: "../escape.csv" }), (e: unknown) => e instanceof TrainsetError && e.code === "DATA_SAFETY");
    assert.equal(await exists(out), false);
    assert.equal(await exists(join(tmp(), "escape.csv")), false);
  });

  it("copies the processed video to videos/video_<id>_<hash>.mp4", async () => {
    const source = await prepared();
    const out = join(tmp(), "out");
    await exportAnnotated(source, { video_id: 1, output_dir: out, export_videos: true });
    assert.ok((await readFile(join(out, "videos", "video_1_abc123.mp4"))).equals(await readFile(join(tmp(), "video.mp4"))));
  });

  it("completes an export interrupted mid-way on rerun without duplicates", async () => {
    const source = await prepared();
    const out = join(tmp(), "out");
    const controller = new AbortController();
    const payload = { video_id: 1, output_dir: out, use_export_flags: true, export_frames: true, transcode_frames: true } as const;
    await assert.rejects(
      exportAnnotated(source, payload, { frameBatchSize: 8, signal: controller.signal, onProgress: (e) => e.done >= 16 && controller.abort() }),
      (e: unknown) => e instanceof TrainsetError && e.code === "ABORTED",
    );
    assert.equal(await exists(join(out, "annotations.csv")), false);
    const partial = await readdir(join(out, "frames", "video_1"));
    assert.ok(partial.length >= 8 && partial.length < 30, `partial ${partial.length}`);
    const rerun = await exportAnnotated(source, payload, { frameBatchSize: 8 });
    assert.equal(rerun.framesSkipped, partial.length);
    assert.equal(rerun.framesExtracted + rerun.framesSkipped, 30);
    const files = await readdir(join(out, "frames", "video_1"));
    assert.equal(files.length, 30);
    assert.ok(files.every((f) => /^frame_\d+\.jpg$/.test(f)));
    assert.ok((await checkExport(out)).ok);
  });

  it("copies existing frame files from frame_dir when frames are not transcoded, keeping the library's frame ids", async () => {
    const dir = tmp();
    await mkdir(join(dir, "frames_src"));
    for (const n of [15, 16]) await writeFile(join(dir, "frames_src", `f${n}.jpg`), `frame ${n}`);
    const lib = await makeLibrary(dir, (l) => {
      if (l.videos[0]) l.videos[0].frame_dir = "frames_src";
      l.frames = [15, 16].map((n) => ({ id: 500 + n, video_id: 1, frame_number: n, relative_path: `f${n}.jpg` }));
    });
    await ensureSegmentAnnotations(await FileVideoSource.open(lib), 1, { segmentIds: [11] });
    const out = join(dir, "out");
    const r = await exportAnnotated(await FileVideoSource.open(lib), { video_id: 1, output_dir: out, segment_ids: [11], export_frames: true });
    assert.equal(r.rows, 2);
    assert.equal(await readFile(join(out, "frames", "video_1", "f16.jpg"), "utf8"), "frame 16");
    const { rows } = await readFrameTable(join(out, "annotations.csv"));
    assert.deepEqual(rows.map((x) => [x.frame_id, x.frame_relative_path]), [[515, "f15.jpg"], [516, "f16.jpg"]]);
    assert.ok((await checkExport(out)).ok);
  });
});
