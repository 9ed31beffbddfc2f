import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../../support/cli.js";
import { useTempDir } from "../../support/tmp.js";
import { makeLibrary } from "./video-fixture.js";

describe("trainset ensure-segment-annotations / export frames / check-export", () => {
  const tmp = useTempDir();

  it("backfills, exports frames and passes the practical checks from the command line", async () => {
    const lib = await makeLibrary(tmp());
    const dry = await runCli(["ensure-segment-annotations", "--library", lib, "--video-id", "1", "--dry-run", "--json"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal((JSON.parse(dry.stdout) as { annotations_needed: number }).annotations_needed, 35);
    const made = await runCli(["ensure-segment-annotations", "--library", lib, "--video-id", "1"]);
    assert.match(made.stdout, /annotations_created: 35/);
    const again = await runCli(["ensure-segment-annotations", "--library", lib, "--video-id", "1"]);
    assert.match(again.stdout, /annotations_created: 0/);
    const out = join(tmp(), "export");
    const exp = await runCli(["export", "frames", "--library", lib, "--video-id", "1", "--output-dir", out, "--use-export-flags", "--export-frames", "--transcode-frames", "--transcode-quality", "3", "--only-true"]);
    assert.equal(exp.code, 0, exp.stderr);
    assert.match(exp.stdout, /35 rows, 30 frames/);
    assert.equal((await readdir(join(out, "frames", "video_1"))).length, 30);
    const check = await runCli(["check-export", out, "--library", lib]);
    assert.equal(check.code, 0, check.stdout);
    assert.match(check.stdout, /PASS non-zero rows: 35 annotation rows/);
    assert.match(check.stdout, /PASS frame paths/);
  });

  it("exits 1 with a DATA_SAFETY message for a traversal and 2 for a bad flag", async () => {
    const lib = await makeLibrary(tmp());
    const bad = await runCli(["export", "frames", "--library", lib, "--video-id", "1", "--output-dir", join(tmp(), "o"), "--output-path", "../../x.csv"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /output_path must be a relative path that stays inside output_dir/);
    const usage = await runCli(["export", "frames", "--library", lib, "--video-id", "1", "--output-dir", "o", "--transcode-ext", "gif"]);
    assert.equal(usage.code, 2);
  });

  it("fails check-export on an empty folder", async () => {
    const r = await runCli(["check-export", tmp()]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL annotation table/);
  });
});
