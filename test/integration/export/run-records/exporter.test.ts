import assert from "node:assert/strict";
import { copyFile, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  parseActionRecord,
  readCoco,
  readRunRecordDataset,
  TrainingDataExporter,
  TrainingExportService,
  type ActionExecutionRecord,
  type RunRecordAnnotationFile,
  type RunRecordMetadata,
} from "trainset";
import { useTempDir } from "../../../support/tmp.js";
import { record, writeScreenshots, type RawRecord } from "./run-fixture.js";

function typed(raw: readonly RawRecord[]): ActionExecutionRecord[] {
  return raw.map((r, i) => parseActionRecord(r, { line: i + 1 }));
}

async function json<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, "utf8")) as T;
}

async function manifest(dir: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(dir, "manifest.jsonl"), "utf8");
  return text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function exportOnce(out: string, run: string, raw: readonly RawRecord[]): Promise<void> {
  const exporter = new TrainingDataExporter(out);
  await exporter.exportRecords(typed(raw), { storageDir: run });
  await exporter.close();
}

describe("TrainingDataExporter", () => {
  const tmp = useTempDir();

  it("stores identical screenshots once under their 16-hex content id and lists every record in the manifest", async () => {
    const run = join(tmp(), "run");
    const [a, b] = await writeScreenshots(run, 2);
    await copyFile(join(run, a as string), join(run, "screenshots/copy_of_a.png"));
    const out = join(tmp(), "dataset");
    const exporter = new TrainingDataExporter(out);
    const stats = await exporter.exportRecords(typed([record(1, a as string), record(2, b as string), record(3, "screenshots/copy_of_a.png")]), { storageDir: run });
    await exporter.close();
    assert.equal(stats.new_images, 2);
    assert.equal(stats.duplicate_images, 1);
    const images = (await readdir(join(out, "images"))).sort();
    assert.equal(images.length, 2);
    for (const name of images) assert.match(name, /^[0-9a-f]{16}\.png$/);
    const lines = await manifest(out);
    assert.deepEqual(lines.map((l) => l.is_new), [true, true, false]);
    assert.equal(lines[0]?.id, lines[2]?.id);
    assert.equal(lines[0]?.image, `images/${String(lines[0]?.id)}.png`);
    assert.deepEqual(lines[0]?.active_states, ["Login", "Main"]);
  });

  it("writes match boxes unverified and 50x50 click boxes verified with confidence 1", async () => {
    const run = join(tmp(), "run");
    const [a] = await writeScreenshots(run, 1);
    const out = join(tmp(), "dataset");
    await exportOnce(out, run, [record(1, a as string)]);
    const [line] = await manifest(out);
    const file = await json<RunRecordAnnotationFile>(join(out, String(line?.annotations)));
    assert.deepEqual(file.annotations, [
      { bbox: [20, 30, 40, 20], category_id: 0, category_name: "login_button", confidence: 0.9, source: "template_matching", verified: false },
      { bbox: [15, 15, 50, 50], category_id: 1, category_name: "click_target", confidence: 1, source: "user_click", verified: true },
    ]);
    assert.equal(file.image_width, 160);
    assert.equal(file.image_height, 120);
  });

  it("clamps click boxes at the image edges like qontinui (x = max(0, cx-25), w = min(50, W-x))", async () => {
    const run = join(tmp(), "run");
    const [a, b] = await writeScreenshots(run, 2);
    const out = join(tmp(), "dataset");
    await exportOnce(out, run, [record(1, a as string, "x", { match_summary: null, clicked_location: [5, 110] }), record(2, b as string, "x", { match_summary: null, clicked_location: [150, 3] })]);
    const lines = await manifest(out);
    const boxes = [];
    for (const line of lines) boxes.push((await json<RunRecordAnnotationFile>(join(out, String(line.annotations)))).annotations[0]?.bbox);
    assert.deepEqual(boxes, [
      [0, 85, 50, 35],
      [125, 0, 35, 50],
    ]);
  });

  it("merges the boxes of repeated screenshots and drops identical ones", async () => {
    const run = join(tmp(), "run");
    const [a] = await writeScreenshots(run, 1);
    const out = join(tmp(), "dataset");
    const moved = { found: true, location: { x: 60, y: 60 }, template_size: { width: 10, height: 10 }, image_id: "menu_icon", confidence: 0.7 };
    await exportOnce(out, run, [record(1, a as string), record(2, a as string), record(3, a as string, "m", { match_summary: moved, clicked_location: null })]);
    const lines = await manifest(out);
    assert.equal(lines.length, 3);
    const file = await json<RunRecordAnnotationFile>(join(out, String(lines[0]?.annotations)));
    assert.deepEqual(file.annotations.map((x) => `${x.category_name}@${x.bbox.join(",")}`), ["login_button@20,30,40,20", "click_target@15,15,50,50", "menu_icon@60,60,10,10"]);
    assert.deepEqual(lines.map((l) => l.annotation_count), [2, 2, 3]);
  });

  it("applies successful-only, with-matches-only and a custom predicate", async () => {
    const run = join(tmp(), "run");
    const refs = await writeScreenshots(run, 4);
    const raw = [
      record(1, refs[0] as string),
      record(2, refs[1] as string, "a", { success: false }),
      record(3, refs[2] as string, "a", { match_summary: { found: false } }),
      record(4, refs[3] as string, "b", { match_summary: { ...(record(0, null).match_summary as object), confidence: 0.5 } }),
    ];
    const cases: Array<[string, object, string[]]> = [
      ["successful", { successfulOnly: true }, ["action-1", "action-3", "action-4"]],
      ["matches", { withMatchesOnly: true }, ["action-1", "action-2", "action-4"]],
      ["custom", { filter: (r: ActionExecutionRecord) => (r.match_summary?.confidence ?? 0) > 0.8 }, ["action-1", "action-2"]],
    ];
    for (const [name, filter, expected] of cases) {
      const out = join(tmp(), name);
      const exporter = new TrainingDataExporter(out);
      const stats = await exporter.exportRecords(typed(raw), { storageDir: run, ...filter });
      await exporter.close();
      assert.deepEqual((await manifest(out)).map((l) => l.action_id), expected, name);
      assert.equal(stats.filtered, 4 - expected.length, name);
    }
  });

  it("skips records without a screenshot or whose screenshot file is missing", async () => {
    const run = join(tmp(), "run");
    const [a] = await writeScreenshots(run, 1);
    const out = join(tmp(), "dataset");
    const exporter = new TrainingDataExporter(out);
    const stats = await exporter.exportRecords(typed([record(1, null), record(2, "screenshots/gone.png"), record(3, a as string)]), { storageDir: run });
    await exporter.close();
    assert.equal(stats.skipped_no_screenshot, 2);
    const meta = await json<RunRecordMetadata>(join(out, "metadata.json"));
    assert.deepEqual([meta.statistics.total_records_processed, meta.statistics.records_with_screenshots, meta.statistics.skipped_records], [3, 1, 2]);
  });

  it("appends a second session: earlier bytes, files and category ids stay, new categories get new ids, totals add up", async () => {
    const run = join(tmp(), "run");
    const refs = await writeScreenshots(run, 3);
    const out = join(tmp(), "dataset");
    await exportOnce(out, run, [record(1, refs[0] as string), record(2, refs[1] as string)]);
    const manifestBefore = await readFile(join(out, "manifest.jsonl"));
    const imagesBefore = new Map<string, number>();
    for (const name of await readdir(join(out, "images"))) imagesBefore.set(name, (await stat(join(out, "images", name))).mtimeMs);
    const annotationBefore = await readFile(join(out, "annotations", [...imagesBefore.keys()][0]?.replace(".png", ".json") ?? ""));
    const meta1 = await json<RunRecordMetadata>(join(out, "metadata.json"));

    await exportOnce(out, run, [record(3, refs[2] as string, "submit_button"), record(4, refs[0] as string, "login_button", { clicked_location: null })]);
    const manifestAfter = await readFile(join(out, "manifest.jsonl"));
    assert.deepEqual(manifestAfter.subarray(0, manifestBefore.length), manifestBefore);
    assert.equal((await manifest(out)).length, 4);
    for (const [name, mtime] of imagesBefore) assert.equal((await stat(join(out, "images", name))).mtimeMs, mtime, name);
    assert.deepEqual(await readFile(join(out, "annotations", [...imagesBefore.keys()][0]?.replace(".png", ".json") ?? "")), annotationBefore);
    const meta2 = await json<RunRecordMetadata>(join(out, "metadata.json"));
    assert.deepEqual(meta1.category_map, { login_button: 0, click_target: 1 });
    assert.deepEqual(meta2.category_map, { login_button: 0, click_target: 1, submit_button: 2 });
    assert.equal(meta2.created, meta1.created);
    assert.deepEqual([meta2.total_images, meta2.total_annotations, meta2.statistics.total_records_processed, meta2.statistics.records_with_matches, meta2.statistics.records_with_clicks], [3, 6, 4, 4, 3]);
    assert.equal(meta2.statistics.export_sessions, 2);
  });

  it("writes the same files without fsync (durable: false)", async () => {
    const run = join(tmp(), "run");
    const refs = await writeScreenshots(run, 2);
    const raw = [record(1, refs[0] as string), record(2, refs[1] as string), record(3, refs[0] as string, "other")];
    const [a, b] = [join(tmp(), "a"), join(tmp(), "b")];
    await exportOnce(a, run, raw);
    const fast = new TrainingDataExporter(b, { durable: false });
    await fast.exportRecords(typed(raw), { storageDir: run });
    await fast.close();
    for (const sub of ["images", "annotations"]) {
      const names = (await readdir(join(a, sub))).sort();
      assert.deepEqual((await readdir(join(b, sub))).sort(), names);
      for (const name of names) assert.deepEqual(await readFile(join(b, sub, name)), await readFile(join(a, sub, name)), name);
    }
  });

  it("writes a COCO dataset.json that trainset reads back with every box", async () => {
    const run = join(tmp(), "run");
    const refs = await writeScreenshots(run, 3);
    const out = join(tmp(), "dataset");
    const exporter = new TrainingDataExporter(out);
    await exporter.exportRecords(typed(refs.map((r, i) => record(i, r))), { storageDir: run });
    await exporter.exportToCoco();
    await exporter.close();
    const coco = await readCoco(join(out, "dataset.json"));
    assert.equal(coco.images.length, 3);
    assert.equal(coco.annotations.length, 6);
    assert.deepEqual(coco.categories.map((c) => [c.id, c.name]), [[0, "login_button"], [1, "click_target"]]);
    const ds = await readRunRecordDataset(out);
    assert.equal(ds.manifest.length, 3);
  });

  it("finishes an aborted export on rerun with the same files as an uninterrupted one and no duplicates", async () => {
    const run = join(tmp(), "run");
    const refs = await writeScreenshots(run, 4);
    const raw = Array.from({ length: 12 }, (_, i) => record(i, refs[i % 4] as string, i % 3 === 0 ? "a" : "b"));
    const whole = join(tmp(), "whole");
    await exportOnce(whole, run, raw);

    const out = join(tmp(), "interrupted");
    const controller = new AbortController();
    let seen = 0;
    const first = new TrainingDataExporter(out);
    await assert.rejects(
      first.exportRecords(typed(raw), { storageDir: run, signal: controller.signal, filter: () => (++seen === 7 && controller.abort(), true) }),
      /cancelled/,
    );
    await first.close();
    assert.equal((await manifest(out)).length, 7);
    const second = new TrainingDataExporter(out);
    const stats = await second.exportRecords(typed(raw), { storageDir: run });
    await second.close();
    assert.equal(stats.already_exported, 7);
    assert.equal(stats.records_exported, 5);
    const strip = (lines: Array<Record<string, unknown>>): string[] => lines.map((l) => JSON.stringify([l.id, l.record_key, l.is_new, l.annotation_count]));
    assert.deepEqual(strip(await manifest(out)), strip(await manifest(whole)));
    assert.deepEqual((await readdir(join(out, "images"))).sort(), (await readdir(join(whole, "images"))).sort());
    for (const name of await readdir(join(whole, "annotations"))) {
      assert.deepEqual(await readFile(join(out, "annotations", name), "utf8"), await readFile(join(whole, "annotations", name), "utf8"), name);
    }
    const [m1, m2] = [await json<RunRecordMetadata>(join(out, "metadata.json")), await json<RunRecordMetadata>(join(whole, "metadata.json"))];
    assert.deepEqual([m1.category_map, m1.total_images, m1.total_annotations, m1.statistics.records_with_screenshots], [m2.category_map, m2.total_images, m2.total_annotations, m2.statistics.records_with_screenshots]);
  });
});

describe("TrainingExportService", () => {
  const tmp = useTempDir();

  it("exports every batch_size records in incremental mode and the rest on completion", async () => {
    const run = join(tmp(), "run");
    const refs = await writeScreenshots(run, 5);
    const out = join(tmp(), "dataset");
    const service = new TrainingExportService({ outputDir: out, storageDir: run, mode: "incremental", batchSize: 2 });
    const results = [];
    for (const r of typed(refs.map((ref, i) => record(i, ref)))) results.push(await service.add(r));
    assert.deepEqual(results.map((r) => r?.records_exported), [undefined, 2, undefined, 2, undefined]);
    assert.equal(service.pendingCount, 1);
    const totals = await service.complete();
    await service.close();
    assert.equal(totals.records_exported, 5);
    assert.equal((await manifest(out)).length, 5);
  });

  it("exports nothing in manual mode until exportNow()", async () => {
    const run = join(tmp(), "run");
    const refs = await writeScreenshots(run, 2);
    const out = join(tmp(), "dataset");
    const service = new TrainingExportService({ outputDir: out, storageDir: run, mode: "manual" });
    for (const r of typed(refs.map((ref, i) => record(i, ref)))) await service.add(r);
    await service.complete();
    assert.equal(service.summary().pending, 2);
    await assert.rejects(stat(join(out, "manifest.jsonl")));
    const stats = await service.exportNow();
    await service.close();
    assert.equal(stats.records_exported, 2);
    assert.equal(service.summary().total_images, 2);
  });
});
