import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { TrainsetError, readCoco, readFrameTable, readLegacyJsonl, runDemo } from "trainset";
import { useTempDir } from "../../support/tmp.js";

const run = promisify(execFile);

describe("runDemo()", function () {
  this.timeout(120000);
  const dir = useTempDir();

  it("builds a workspace in which every dataset it made is valid", async () => {
    const out = join(dir(), "ws");
    const result = await runDemo(out);
    assert.ok(result.steps.length >= 3);
    assert.ok(result.datasets.length >= 4, JSON.stringify(result.datasets));
    for (const d of result.datasets) assert.equal(d.errors, 0, `${d.path} has errors`);
    const coco = await readCoco(join(out, "coco", "dataset.json"));
    assert.equal(coco.images.length, 24);
    for (const image of coco.images) await access(join(out, "coco", "images", image.file_name));
    const table = await readFrameTable(join(out, "video-export", "annotations.csv"));
    assert.equal(table.rows.length, 60);
    for (const row of table.rows) await access(join(out, "video-export", "frames", row.frame_relative_path));
    const legacy = await readLegacyJsonl(join(out, "legacy", "legacy_img_dicts.jsonl"), { mode: "collect" });
    assert.equal(legacy.records.length, 61);
  });

  it("rebuilds an earlier demo in place but refuses a folder that holds anything else", async () => {
    const out = join(dir(), "ws");
    await runDemo(out, { only: ["legacy"] });
    await runDemo(out, { only: ["legacy"] });
    const foreign = join(dir(), "mine");
    await mkdir(foreign);
    await writeFile(join(foreign, "thesis.tex"), "precious");
    await assert.rejects(runDemo(foreign), (e: unknown) => e instanceof TrainsetError && e.code === "CONFLICT" && /not empty and was not made by trainset demo/.test(e.message));
    assert.equal(await readFile(join(foreign, "thesis.tex"), "utf8"), "precious");
  });
});

describe("the trainset bin", function () {
  this.timeout(60000);
  it("runs the built CLI: --version prints the package version", async () => {
    const { stdout } = await run(process.execPath, ["kernel/bin/trainset.js", "--version"]);
    const pkg = JSON.parse(await readFile("kernel/package.json", "utf8")) as { version: string };
    assert.equal(stdout.trim(), pkg.version);
  });
});
