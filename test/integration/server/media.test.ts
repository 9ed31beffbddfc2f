import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readVideoLibrary } from "../../../kernel/src/export/video-library.js";
import { makeLibrary } from "../export/video-fixture.js";
import { api, startTestServer, stopTestServer, type TestServer } from "./server-fixture.js";
import { assertProblem } from "./problem-assert.js";

describe("trainset serve: seed 000 export endpoints", function () {
  this.timeout(120_000);
  let t: TestServer | undefined;
  let libDir = "";
  let library = "";
  const s = (): TestServer => t as TestServer;
  before(async () => {
    libDir = await mkdtemp(join(tmpdir(), "trainset-server-lib-"));
    library = await makeLibrary(libDir);
    t = await startTestServer({ library });
  });
  after(async () => {
    await stopTestServer(t);
    await rm(libDir, { recursive: true, force: true });
  });

  it("ensure-segment-annotations counts with dry_run, then creates, then finds nothing left", async () => {
    const path = "/api/media/videos/1/ensure-segment-annotations/";
    const dry = await api(s(), "POST", path, { body: { dry_run: true } });
    assert.equal(dry.status, 200, dry.text);
    assert.deepEqual(dry.body, { video_id: 1, dry_run: true, total_segments: 2, segments_processed: 2, skipped_no_label: 0, skipped_no_frames: 0, annotations_needed: 35, annotations_created: 0 });
    assert.equal((await readVideoLibrary(library)).annotations.length, 0);
    const made = await api(s(), "POST", path);
    assert.equal(made.body["annotations_created"], 35);
    const lib = await readVideoLibrary(library);
    assert.equal(lib.annotations.length, 35);
    assert.ok(lib.annotations.every((a) => a.annotator === "alice"));
    assert.equal((await api(s(), "POST", path, { body: {} })).body["annotations_needed"], 0);
    assertProblem(await api(s(), "POST", "/api/media/videos/99/ensure-segment-annotations/"), 404, "Not Found", /video 99/);
    assertProblem(await api(s(), "POST", path, { body: { dryRun: true } }), 400, "Invalid Request", /unknown field "dryRun"/);
  });

  it("export-annotated writes the table and frames inside the root and reports the counts", async () => {
    const answer = await api(s(), "POST", "/api/media/videos/export-annotated/", {
      body: { video_id: 1, output_dir: "export/video_1", output_path: "annotations.csv", output_format: "csv", use_export_flags: true, export_frames: true, transcode_frames: true, transcode_fps: 30, transcode_quality: 2, transcode_ext: "jpg", use_frame_pk_paths: true },
    });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body["rows"], 35);
    assert.equal(answer.body["frames"], 30);
    assert.equal(answer.body["frames_extracted"], 30);
    assert.equal(answer.body["table_path"], join(s().root, "export/video_1/annotations.csv"));
    const table = await readFile(join(s().root, "export/video_1/annotations.csv"), "utf8");
    assert.equal(table.trim().split("\n").length, 36);
    assert.equal((await readdir(join(s().root, "export/video_1/frames/video_1"))).length, 30);
  });

  it("refuses a bad payload before any work and an output_path that escapes output_dir", async () => {
    assertProblem(await api(s(), "POST", "/api/media/videos/export-annotated/", { body: { video_id: 1, output_dir: "x", transcode_quality: 40 } }), 400, "Invalid Request", /transcode_quality/);
    assertProblem(await api(s(), "POST", "/api/media/videos/export-annotated/", { body: { video_id: 1, output_dir: "x", output_path: "../../a.csv" } }), 400, "Path Not Allowed", /output_path/);
    assertProblem(await api(s(), "POST", "/api/media/videos/export-annotated/", { body: { video_id: "1", output_dir: "x" } }), 400, "Invalid Request", /video_id/);
    assert.deepEqual((await readdir(s().root)).sort(), ["export"]);
  });
});

describe("trainset serve: export endpoints without a library", function () {
  this.timeout(60_000);
  let t: TestServer | undefined;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => stopTestServer(t));

  it("answers 503 with problem details", async () => {
    assertProblem(await api(t as TestServer, "POST", "/api/media/videos/export-annotated/", { body: { video_id: 1, output_dir: "x" } }), 503, "Video Library Not Configured");
  });
});
