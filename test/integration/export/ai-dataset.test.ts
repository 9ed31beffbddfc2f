import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { buildAiDataset, checkExport, ensureSegmentAnnotations, FileVideoSource, TrainsetError, validateAiDataset, writeAiDataset, type AiDataset } from "trainset";
import { runCli } from "../../support/cli.js";
import { useTempDir } from "../../support/tmp.js";
import { makeLibrary } from "./video-fixture.js";

describe("the standardized AI-dataset JSON", () => {
  const tmp = useTempDir();

  async function source(patch?: Parameters<typeof makeLibrary>[1]): Promise<FileVideoSource> {
    const lib = await makeLibrary(tmp(), patch);
    await ensureSegmentAnnotations(await FileVideoSource.open(lib), 1, { useExportFlags: true, now: "2026-01-15T09:30:00+00:00" });
    return FileVideoSource.open(lib);
  }

  it("builds schema 1.0 with exactly the contract's top-level fields and a validated summary", async () => {
    const doc = buildAiDataset(await source(), { datasetId: 7, name: "colo", videoIds: [1], labelsetName: "multilabel_classification_colonoscopy_default", now: "2026-02-01T10:00:00Z" });
    assert.deepEqual(Object.keys(doc), ["schema_version", "dataset_id", "name", "description", "dataset_type", "ai_model_type", "is_active", "created_at", "updated_at", "summary", "patient_videos", "frame_annotations"]);
    assert.deepEqual(doc.summary, { image_annotation_count: 35, video_annotation_count: 0, frame_count: 30, video_count: 1, label_count: 2 });
    const video = doc.patient_videos["4b1f0c1e-0000-4000-8000-000000000001"];
    assert.equal(video?.sensitive_meta, null);
    assert.equal(Object.keys(video?.patient_video_segments ?? {}).length, 4);
    assert.equal(doc.frame_annotations[0]?.label.labelset_name, "multilabel_classification_colonoscopy_default");
    assert.equal(validateAiDataset(JSON.parse(JSON.stringify(doc))).dataset_id, 7);
  });

  it("rejects an extra field and a wrong schema_version, naming the path", async () => {
    const doc = buildAiDataset(await source(), { datasetId: 1, name: "d", videoIds: [1], now: "2026-02-01T10:00:00Z" });
    const extra = JSON.parse(JSON.stringify(doc)) as AiDataset & { frame_annotations: Array<Record<string, unknown>> };
    (extra.frame_annotations[0] as Record<string, unknown>)["patient_name"] = "x";
    assert.throws(() => validateAiDataset(extra), /\$\.frame_annotations\[0\]\.patient_name is not part of schema 1\.0/);
    assert.throws(() => validateAiDataset({ ...doc, schema_version: "2.0" }), /schema_version must be "1\.0"/);
  });

  it("refuses a video that is not anonymization-validated", async () => {
    const s = await source((l) => {
      if (l.videos[0]) l.videos[0].state.anonymization_validated = false;
    });
    assert.throws(() => buildAiDataset(s, { datasetId: 1, name: "d", videoIds: [1] }), (e: unknown) => e instanceof TrainsetError && e.code === "DATA_SAFETY");
  });

  it("writes ai_datasets/<name>_<type>_<timestamp>.json that check-export accepts", async () => {
    const doc = buildAiDataset(await source(), { datasetId: 1, name: "colo", videoIds: [1] });
    const path = await writeAiDataset(join(tmp(), "exp"), doc, { now: new Date("2026-02-01T10:00:00Z") });
    assert.equal(path, join(tmp(), "exp", "ai_datasets", "colo_image_20260201T100000Z.json"));
    assert.equal((JSON.parse(await readFile(path, "utf8")) as AiDataset).schema_version, "1.0");
    const check = await checkExport(join(tmp(), "exp"), { table: "missing.csv" });
    assert.equal(check.checks.find((c) => c.name === "annotation table")?.status, "fail");
    assert.equal(check.checks.find((c) => c.name === "dataset type")?.status, "pass");
    const wrong = await writeAiDataset(join(tmp(), "exp2"), { ...doc, dataset_type: "video" });
    assert.match(wrong, /colo_video_/);
    assert.equal((await checkExport(join(tmp(), "exp2"))).checks.find((c) => c.name === "dataset type")?.status, "fail");
    await assert.rejects(writeAiDataset(tmp(), { ...doc, name: "../x" }), /name may only use/);
  });

  it("is available as trainset export ai-dataset", async () => {
    const lib = await makeLibrary(tmp());
    const r = await runCli(["export", "ai-dataset", "--library", lib, "--video-ids", "1", "--output-dir", join(tmp(), "o"), "--dataset-id", "3", "--name", "colo"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await readdir(join(tmp(), "o", "ai_datasets"))).length, 1);
  });
});
