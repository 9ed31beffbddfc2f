import assert from "node:assert/strict";
import { frameRanges, frameTimestamp, parseExportPayload, parseVideoLibrary, resolveInside, selectFilter, TrainsetError } from "trainset";

const video = {
  id: 1, uuid: "u", video_hash: "h", processed_video_path: "v.mp4", processed_file_sha256: "x", fps: 25, frame_count: 50, width: 1, height: 1, examination_id: null,
  state: { anonymized: true, anonymization_validated: true, processing_error: false, ready_for_export: true }, export_segments_by_video: false,
};
const library = (patch: Record<string, unknown> = {}): string =>
  JSON.stringify({ library_version: 1, videos: [video], labels: [], information_sources: [], segments: [], annotations: [], ...patch });

describe("parseVideoLibrary()", () => {
  it("accepts a minimal library", () => {
    assert.equal(parseVideoLibrary(library()).videos[0]?.fps, 25);
  });
  it("names the file and JSON path of a bad field", () => {
    assert.throws(() => parseVideoLibrary(library({ videos: [video, { ...video, id: 2, fps: "fast" }] }), "lib.json"), (e: unknown) => e instanceof TrainsetError && e.field === "videos[1].fps" && /lib\.json/.test(e.message));
  });
  it("rejects a segment whose end is not after its start (end exclusive)", () => {
    const segment = { id: 1, video_id: 1, label_id: null, start_frame_number: 5, end_frame_number: 5, source_id: null, prediction_meta_id: null, validated: true, export_segment: true };
    assert.throws(() => parseVideoLibrary(library({ segments: [segment] })), /segments\[0\]\.end_frame_number/);
  });
  it("rejects an unknown library_version", () => {
    assert.throws(() => parseVideoLibrary(JSON.stringify({ library_version: 2 })), /library_version must be 1/);
  });
});

describe("parseExportPayload()", () => {
  it("applies the seed's defaults", () => {
    const p = parseExportPayload({ video_id: 3, output_dir: "out", transcode_frames: true });
    assert.equal(p.transcode_fps, 30);
    assert.equal(p.transcode_quality, 2);
    assert.equal(p.transcode_ext, "jpg");
    assert.equal(p.use_frame_pk_paths, true);
    assert.equal(p.output_path, "annotations.csv");
    assert.equal(p.output_format, "csv");
  });
  it("takes the format from a .json output_path", () => {
    assert.equal(parseExportPayload({ video_id: 3, output_dir: "o", output_path: "a.json" }).output_format, "json");
  });
  it("refuses unknown keys, bad values and both segment selections, naming the field", () => {
    assert.throws(() => parseExportPayload({ video_id: 1, output_dir: "o", videoId: 1 }), /videoId is not a payload field/);
    assert.throws(() => parseExportPayload({ video_id: 1, output_dir: "o", transcode_quality: 40 }), /transcode_quality must be a whole number 1\.\.31/);
    assert.throws(() => parseExportPayload({ video_id: 1, output_dir: "o", segment_ids: [1, "2"] }), /segment_ids\[1\]/);
    assert.throws(() => parseExportPayload({ video_id: 1, output_dir: "o", segment_ids: [1], use_export_flags: true }), /not both/);
    assert.throws(() => parseExportPayload({ output_dir: "o" }), /video_id must be/);
  });
});

describe("frame selection helpers", () => {
  it("merges frame numbers into ranges and an exact select filter", () => {
    assert.deepEqual(frameRanges([0, 1, 2, 5, 7, 8]), [[0, 2], [5, 5], [7, 8]]);
    assert.equal(selectFilter([4, 5, 9]), "select=between(n\\,4\\,5)+between(n\\,9\\,9)");
  });
  it("maps a frame number to seconds at the video's real fps", () => {
    assert.equal(frameTimestamp(50, 25), 2);
    assert.equal(frameTimestamp(30, 29.97), 30 / 29.97);
  });
});

describe("resolveInside()", () => {
  it("resolves a safe relative path under the root", () => {
    assert.equal(resolveInside("/out", "frames/a.jpg", "f"), "/out/frames/a.jpg");
  });
  for (const bad of ["../x", "a/../../x", "/etc/passwd", "a\\..\\x", "", "C:/x"]) {
    it(`refuses "${bad}" as a path traversal`, () => {
      assert.throws(() => resolveInside("/out", bad, "output_path"), (e: unknown) => e instanceof TrainsetError && e.code === "DATA_SAFETY");
    });
  }
});
