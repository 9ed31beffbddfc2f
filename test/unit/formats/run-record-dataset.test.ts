import assert from "node:assert/strict";
import { appendFile, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readRunRecordDataset, validateRunRecordDataset } from "../../../kernel/src/formats/run-record-dataset.js";
import { runRecordHandler, runRecordStats } from "../../../kernel/src/formats/run-record-handler.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";
import type { ValidationIssue } from "../../../kernel/src/util/issues.js";
import { useTempDir } from "../../support/tmp.js";
import { makePng, writeRunRecordFixture, type RunRecordFixture } from "./run-record-fixture.js";

function rules(issues: readonly ValidationIssue[], severity?: "error" | "warning"): string[] {
  return issues.filter((i) => severity === undefined || i.severity === severity).map((i) => i.rule);
}

async function editJson(path: string, edit: (value: Record<string, unknown>) => void): Promise<void> {
  const value = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  edit(value);
  await writeFile(path, JSON.stringify(value, null, 2));
}

describe("readRunRecordDataset()", () => {
  const tmp = useTempDir();
  let fx: RunRecordFixture;
  beforeEach(async () => {
    fx = await writeRunRecordFixture(join(tmp(), "ds"));
  });

  it("reads a qontinui folder with repeats, keeping every manifest line and unknown key", async () => {
    const ds = await readRunRecordDataset(fx.dir);
    assert.equal(ds.manifest.length, 4);
    assert.deepEqual(ds.imageIds, [fx.a, fx.b, fx.c]);
    assert.deepEqual(ds.manifest.map((l) => l.line), [1, 2, 3, 4]);
    assert.equal(ds.manifest[2]?.entry.session, "s2");
    assert.equal(ds.manifest[2]?.entry.is_new, false);
    assert.equal(ds.annotationFiles.size, 2);
    assert.equal(ds.annotationFiles.get(fx.a)?.annotations[1]?.confidence, 1);
    assert.equal(ds.annotationFiles.get(fx.b)?.reviewer_note, "kept on round trip");
    assert.deepEqual(ds.metadata?.category_map, { login_button: 0, click_target: 1, click_target_button: 2 });
  });

  it("warns, but does not fail, when an image has no annotation file", async () => {
    const issues = await validateRunRecordDataset(fx.dir);
    assert.deepEqual(rules(issues), ["missing-annotation-file"]);
    assert.equal(issues[0]?.severity, "warning");
    assert.equal(issues[0]?.line, 4);
    assert.equal(issues[0]?.file, join(fx.dir, "manifest.jsonl"));
  });

  it("throws in strict mode on the first error with file, line and field", async () => {
    await appendFile(join(fx.dir, "manifest.jsonl"), JSON.stringify({ id: fx.b, image: `images/${fx.b}.png`, annotations: `annotations/${fx.b}.json`, action_id: "x", action_type: "CLICK", timestamp: 1, active_states: [], source: "runner_execution", is_new: "no", reviewed: false }) + "\n");
    await assert.rejects(readRunRecordDataset(fx.dir), (error: unknown) => {
      assert.ok(error instanceof TrainsetError);
      assert.equal(error.code, "VALIDATION_ERROR");
      assert.equal(error.file, join(fx.dir, "manifest.jsonl"));
      assert.equal(error.line, 5);
      assert.equal(error.field, "is_new");
      assert.match(error.message, /line 5: is_new is "no"; it must be true or false/);
      return true;
    });
  });

  it("collects every issue in collect mode, including broken JSON lines, in line order", async () => {
    await appendFile(join(fx.dir, "manifest.jsonl"), '{"id": "nothex!", "image": "images/x.png", "annotations": "annotations/x.json"}\n{broken\n{"id": "a1b2c3d4", "image": "../etc/passwd", "annotations": "annotations/a1b2c3d4.json"}\n');
    const issues = await validateRunRecordDataset(fx.dir);
    const errors = issues.filter((i) => i.severity === "error");
    assert.deepEqual(
      errors.map((i) => [i.rule, i.line]),
      [
        ["invalid-id", 5],
        ["invalid-json", 6],
        ["unsafe-path", 7],
        ["missing-image", 5],
        ["missing-image", 7],
      ],
    );
    const short = issues.find((i) => i.rule === "short-id");
    assert.equal(short?.severity, "warning");
    assert.match(short?.message ?? "", /8 hex characters; qontinui's exporter writes 16/);
  });

  it("warns about conflicting repeats and repeats marked new", async () => {
    await appendFile(join(fx.dir, "manifest.jsonl"), JSON.stringify({ id: fx.a, image: `images/${fx.a}.jpg`, annotations: `annotations/${fx.a}.json`, action_id: null, action_type: null, timestamp: null, active_states: [], source: "runner_execution", is_new: true, reviewed: false }) + "\n");
    const issues = await validateRunRecordDataset(fx.dir);
    const conflict = issues.find((i) => i.rule === "conflicting-repeat");
    assert.equal(conflict?.line, 5);
    assert.match(conflict?.message ?? "", /line 1 gave/);
    assert.ok(issues.some((i) => i.rule === "repeat-marked-new" && i.line === 5));
  });

  it("rejects an annotation file whose image_id is not the manifest's id", async () => {
    await editJson(join(fx.dir, "annotations", `${fx.b}.json`), (v) => (v.image_id = fx.a));
    const issues = await validateRunRecordDataset(fx.dir);
    const issue = issues.find((i) => i.rule === "image-id-mismatch");
    assert.equal(issue?.file, join(fx.dir, "annotations", `${fx.b}.json`));
    assert.equal(issue?.field, "image_id");
  });

  it("checks category ids against metadata.json's category_map", async () => {
    await editJson(join(fx.dir, "annotations", `${fx.a}.json`), (v) => {
      const anns = v.annotations as Array<Record<string, unknown>>;
      (anns[0] as Record<string, unknown>).category_id = 2;
      (anns[1] as Record<string, unknown>).category_name = "mystery";
    });
    const issues = await validateRunRecordDataset(fx.dir);
    const mismatch = issues.find((i) => i.rule === "category-mismatch");
    assert.equal(mismatch?.field, "annotations[0].category_id");
    assert.match(mismatch?.message ?? "", /category_id 2 for "login_button", but metadata.json's category_map says 0/);
    assert.equal(issues.find((i) => i.rule === "unknown-category")?.field, "annotations[1].category_name");
  });

  it("without metadata.json, requires one id per category name across files", async () => {
    await rm(join(fx.dir, "metadata.json"));
    await editJson(join(fx.dir, "annotations", `${fx.b}.json`), (v) => {
      const anns = v.annotations as Array<Record<string, unknown>>;
      (anns[0] as Record<string, unknown>).category_name = "login_button";
    });
    const issues = await validateRunRecordDataset(fx.dir);
    assert.ok(rules(issues, "warning").includes("missing-metadata"));
    const issue = issues.find((i) => i.rule === "inconsistent-category");
    assert.match(issue?.message ?? "", /gives "login_button" category_id 2, but other files give it 0/);
  });

  it("rejects boxes outside the image beyond the tolerance and negative sizes", async () => {
    await editJson(join(fx.dir, "annotations", `${fx.a}.json`), (v) => {
      const anns = v.annotations as Array<Record<string, unknown>>;
      (anns[0] as Record<string, unknown>).bbox = [300, 10, 21.5, 10]; // 1.5 px past the 320 px edge
      (anns[1] as Record<string, unknown>).bbox = [10, 10, -5, 10];
    });
    const issues = await validateRunRecordDataset(fx.dir);
    assert.deepEqual(
      issues.filter((i) => i.severity === "error").map((i) => [i.rule, i.field]),
      [
        ["bbox-outside-image", "annotations[0].bbox"],
        ["negative-bbox-size", "annotations[1].bbox"],
      ],
    );
    const relaxed = await validateRunRecordDataset(fx.dir, { bboxTolerance: 2 });
    assert.ok(!rules(relaxed).includes("bbox-outside-image"));
  });

  it("compares image_width/height with the PNG header", async () => {
    await writeFile(join(fx.dir, "images", `${fx.b}.png`), await makePng(100, 100, [10, 200, 10]));
    const issues = await validateRunRecordDataset(fx.dir);
    assert.match(issues.find((i) => i.rule === "image-size-mismatch")?.message ?? "", /200×100, but the PNG .* is 100×100/);
    assert.ok(!rules(await validateRunRecordDataset(fx.dir, { checkImageSizes: false })).includes("image-size-mismatch"));
  });

  it("reports a missing image with the manifest line that names it", async () => {
    await rm(join(fx.dir, "images", `${fx.b}.png`));
    const issues = await validateRunRecordDataset(fx.dir);
    const issue = issues.find((i) => i.rule === "missing-image");
    assert.equal(issue?.line, 2);
    assert.equal(issue?.field, "image");
  });

  it("warns when metadata totals do not match the folder (qontinui counts only its last call)", async () => {
    await editJson(join(fx.dir, "metadata.json"), (v) => {
      v.total_images = 1;
      v.total_annotations = 2;
    });
    const issues = (await validateRunRecordDataset(fx.dir)).filter((i) => i.rule === "stale-total");
    assert.deepEqual(issues.map((i) => i.field), ["total_images", "total_annotations"]);
    assert.ok(issues.every((i) => i.severity === "warning"));
  });

  it("reads annotation files no manifest line lists, with a warning", async () => {
    const png = await makePng(10, 10, [1, 2, 3]);
    const { contentId16 } = await import("../../../kernel/src/util/hashing.js");
    const id = contentId16(png);
    await writeFile(join(fx.dir, "images", `${id}.png`), png);
    await writeFile(join(fx.dir, "annotations", `${id}.json`), JSON.stringify({ image_id: id, image_filename: `${id}.png`, image_width: 10, image_height: 10, annotations: [], context: { action_type: null, active_states: [], timestamp: null, success: null }, version: "1.0.0" }));
    const issues = new (await import("../../../kernel/src/util/issues.js")).IssueCollector(undefined, { mode: "collect" });
    const ds = await readRunRecordDataset(fx.dir, { issues });
    assert.equal(ds.imageIds.at(-1), id);
    assert.ok(issues.issues.some((i) => i.rule === "orphan-annotation-file"));
  });
});

describe("runRecordHandler", () => {
  const tmp = useTempDir();

  it("detects a folder with manifest.jsonl and images/ or annotations/", () => {
    assert.equal(runRecordHandler.detect("d", { isDirectory: true, head: "", entries: ["manifest.jsonl", "images", "annotations"] }), true);
    assert.equal(runRecordHandler.detect("d", { isDirectory: true, head: "", entries: ["manifest.jsonl"] }), false);
    assert.equal(runRecordHandler.detect("d.json", { isDirectory: false, head: "{", entries: [] }), false);
  });

  it("counts images, boxes per category and source, and the verified share", async () => {
    const fx = await writeRunRecordFixture(join(tmp(), "ds"));
    const stats = await runRecordHandler.stats(fx.dir);
    assert.equal(stats.images, 3);
    assert.equal(stats.records, 3);
    assert.deepEqual(stats.perLabel, { login_button: 1, click_target: 1, click_target_button: 1 });
    assert.deepEqual(stats.sources, { template_matching: 1, user_click: 1, smart_click_analysis: 1 });
    assert.equal(stats.verifiedShare, 2 / 3);
    assert.equal(stats.extra?.["repeated lines"], 1);
    assert.equal(stats.extra?.["images without annotations"], 1);
    assert.deepEqual(runRecordStats(await readRunRecordDataset(fx.dir, { mode: "collect" }), fx.dir), stats);
  });

  it("returns issues in collect mode and throws in strict mode", async () => {
    const fx = await writeRunRecordFixture(join(tmp(), "ds"));
    await rm(join(fx.dir, "images", `${fx.a}.png`));
    const issues = await runRecordHandler.validate(fx.dir);
    assert.ok(issues.some((i) => i.rule === "missing-image" && i.severity === "error"));
    await assert.rejects(runRecordHandler.validate(fx.dir, { mode: "strict" }), /does not exist/);
  });
});
