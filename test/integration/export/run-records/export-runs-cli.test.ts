import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { RunRecordMetadata } from "trainset";
import { runCli } from "../../../support/cli.js";
import { useTempDir } from "../../../support/tmp.js";
import { record, writeRecords, writeScreenshots } from "./run-fixture.js";

const RUN_TS = resolve("kernel/src/cli/run.ts");

async function lines(path: string): Promise<Array<Record<string, unknown>>> {
  return (await readFile(path, "utf8")).trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function size(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

describe("trainset export runs", () => {
  const tmp = useTempDir();

  it("exports a records file, appends on a second run and writes COCO", async () => {
    const run = join(tmp(), "run");
    const refs = await writeScreenshots(run, 3);
    await writeRecords(join(run, "records.jsonl"), [record(1, refs[0] ?? ""), record(2, refs[1] ?? ""), record(3, refs[0] ?? "")]);
    const out = join(tmp(), "dataset");
    const first = await runCli(["export", "runs", "--records", join(run, "records.jsonl"), "--out", out]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /3 records, 3 exported \(2 new images, 1 repeats\)/);
    await writeRecords(join(run, "more.jsonl"), [record(4, refs[2] ?? "", "submit_button")]);
    const second = await runCli(["export", "runs", "--records", join(run, "more.jsonl"), "--out", out, "--mode", "incremental", "--batch-size", "1", "--json"]);
    assert.equal(second.code, 0, second.stderr);
    const summary = JSON.parse(second.stdout) as { total_images: number; category_map: Record<string, number>; coco: { images: number } };
    assert.equal(summary.total_images, 3);
    assert.deepEqual(summary.category_map, { login_button: 0, click_target: 1, submit_button: 2 });
    assert.equal(summary.coco.images, 3);
    assert.equal((await lines(join(out, "manifest.jsonl"))).length, 4);
  });

  it("names the file, line and field of a bad record and exits 1", async () => {
    const run = join(tmp(), "run");
    const refs = await writeScreenshots(run, 1);
    await writeRecords(join(run, "records.jsonl"), [record(1, refs[0] ?? ""), record(2, refs[0] ?? "", "x", { clicked_location: [1] })]);
    const result = await runCli(["export", "runs", "--records", "records.jsonl", "--out", "ds"], { cwd: run });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cannot read run record "records\.jsonl" line 2: clicked_location is \[1\]; it must be \[x, y\]/);
  });

  it("rejects an unknown mode with exit code 2", async () => {
    const result = await runCli(["export", "runs", "--records", "r.jsonl", "--out", "d", "--mode", "sometimes"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--mode must be one of on_completion, incremental, manual/);
  });

  it("completes an export killed with SIGKILL on rerun, without duplicate lines or images", async function () {
    this.timeout(60000);
    const run = join(tmp(), "run");
    const refs = await writeScreenshots(run, 40, 320, 240);
    const raw = Array.from({ length: 1500 }, (_, i) => record(i, refs[i % 40] ?? "", `t${i % 5}`, { clicked_location: [i % 300, 20] }));
    await writeRecords(join(run, "records.jsonl"), raw);
    const out = join(tmp(), "dataset");
    const args = ["--conditions=trainset-source", "--import", "tsx", RUN_TS, "export", "runs", "--records", join(run, "records.jsonl"), "--out", out, "--quiet"];
    const child = spawn(process.execPath, args, { stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((done) => child.on("exit", (_code, signal) => done(signal)));
    const manifestPath = join(out, "manifest.jsonl");
    while ((await size(manifestPath)) < 20000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGKILL");
    assert.equal(await exited, "SIGKILL", "the export finished before it could be killed");
    const before = await size(manifestPath);
    assert.ok(before > 0 && before < 1500 * 300);

    const rerun = await runCli(["export", "runs", "--records", join(run, "records.jsonl"), "--out", out, "--json"]);
    assert.equal(rerun.code, 0, rerun.stderr);
    const entries = await lines(manifestPath);
    assert.equal(entries.length, 1500);
    assert.equal(new Set(entries.map((e) => e.record_key)).size, 1500);
    assert.equal(entries.filter((e) => e.is_new === true).length, 40);
    const images = await readdir(join(out, "images"));
    assert.equal(images.filter((n) => n.endsWith(".png")).length, 40);
    assert.deepEqual(images.filter((n) => !n.endsWith(".png")), []);
    assert.deepEqual((await readdir(join(out, "annotations"))).filter((n) => !/^[0-9a-f]{16}\.json$/.test(n)), []);
    const meta = JSON.parse(await readFile(join(out, "metadata.json"), "utf8")) as RunRecordMetadata;
    assert.deepEqual(Object.keys(meta.category_map).sort(), ["click_target", "t0", "t1", "t2", "t3", "t4"]);
    assert.equal(meta.statistics.records_with_screenshots, 1500);
    assert.equal(meta.total_images, 40);
  });
});

describe("trainset prepare", () => {
  const tmp = useTempDir();

  it("splits an exported dataset.json into train/val/test COCO files", async () => {
    const run = join(tmp(), "run");
    const refs = await writeScreenshots(run, 20);
    await writeRecords(join(run, "records.jsonl"), refs.map((r, i) => record(i, r, `c${i % 2}`)));
    const out = join(tmp(), "dataset");
    assert.equal((await runCli(["export", "runs", "--records", join(run, "records.jsonl"), "--out", out, "--quiet"])).code, 0);
    const result = await runCli(["prepare", "--input", join(out, "dataset.json"), "--out", join(tmp(), "prepared"), "--split", "0.7,0.2,0.1"]);
    assert.equal(result.code, 0, result.stderr);
    const counts = [];
    for (const split of ["train", "val", "test"]) {
      const coco = JSON.parse(await readFile(join(tmp(), "prepared", `${split}.json`), "utf8")) as { images: unknown[] };
      counts.push(coco.images.length);
    }
    assert.equal(counts.reduce((a, b) => a + b, 0), 20);
    assert.ok((counts[0] ?? 0) >= 12 && (counts[0] ?? 0) <= 16, `train has ${counts[0] ?? 0}`);
    assert.match(result.stdout, /20 images/);
  });

  it("rejects a split that is not three shares", async () => {
    const result = await runCli(["prepare", "--input", "d.json", "--out", "o", "--split", "0.7,0.3"]);
    assert.equal(result.code, 2);
  });
});
