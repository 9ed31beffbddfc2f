import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { writePairsJsonl, type PairsRecord } from "../../../kernel/src/formats/pairs.js";
import { isTrainsetError } from "../../../kernel/src/util/errors.js";
import { seededRandom } from "../../../kernel/src/util/seeded-random.js";
import {
  predictWithOnnx,
  readHeadFiles,
  trainFrameImportance,
  trainPreferenceModel,
  writeTinyOnnxBackbone,
  embedImages,
  loadBackbone,
  sigmoid,
  type FrameImportanceConfig,
} from "../../../kernel/src/train/index.js";
import { HeadModel } from "../../../kernel/src/train/head-model.js";
import { runCli } from "../../support/cli.js";
import { useTempDir } from "../../support/tmp.js";

/** Frames whose importance is their brightness (plus a little noise in the picture). */
async function makeFrames(root: string, count: number): Promise<{ path: string; rating: number; video: number }[]> {
  await mkdir(join(root, "frames"), { recursive: true });
  const random = seededRandom(3);
  const out: { path: string; rating: number; video: number }[] = [];
  for (let i = 0; i < count; i++) {
    const rating = Math.round(random() * 100) / 100;
    const v = Math.round(rating * 200 + 20);
    const path = join(root, "frames", `f${i}.png`);
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: v, g: Math.round(random() * 60), b: 255 - v } } }).png().toFile(path);
    out.push({ path, rating, video: Math.floor(i / 3) });
  }
  return out;
}

describe("trainFrameImportance()", function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  async function setup(): Promise<FrameImportanceConfig> {
    const root = tmp();
    const frames = await makeFrames(root, 45);
    await writeFile(join(root, "annotations.jsonl"), frames.map((f) => JSON.stringify({ frame_path: `frames/f${frames.indexOf(f)}.png`, rating: f.rating, video_id: f.video })).join("\n") + "\n");
    await writeTinyOnnxBackbone(join(root, "tiny.onnx"), { channels: 8 });
    return { source: { annotations: join(root, "annotations.jsonl") }, backbone: { kind: "onnx", path: join(root, "tiny.onnx") }, runsDir: join(root, "runs"), cacheDir: join(root, "cache"), numEpochs: 40, batchSize: 8, tfBackend: "wasm" };
  }

  it("learns ratings, beats the mean baseline, is deterministic and writes a matching model.onnx", async () => {
    const config = await setup();
    const epochs: number[] = [];
    const a = await trainFrameImportance({ ...config, runId: "a" }, { onEpoch: (e) => epochs.push(e.epoch) });
    assert.equal(a.meta.status, "completed");
    assert.equal(epochs.length, 40);
    const t = a.meta.test_metrics!;
    assert.ok(t.count > 0);
    assert.ok((t.spearman ?? 0) > 0.8, `spearman ${String(t.spearman)}`);
    assert.ok((t.mae ?? 1) < (a.meta.test_baseline_mae ?? 0), `mae ${String(t.mae)} vs baseline ${String(a.meta.test_baseline_mae)}`);
    assert.equal((await readFile(join(a.runDir, "history.jsonl"), "utf8")).trim().split("\n").length, 40);
    const b = await trainFrameImportance({ ...config, runId: "b" });
    assert.equal(b.meta.data.embedded, 0);
    assert.deepEqual(b.meta.test_metrics, a.meta.test_metrics);
    assert.deepEqual(b.meta.history.train_loss, a.meta.history.train_loss);

    // model.onnx (backbone + head + sigmoid) against backbone in ORT + tfjs head, on the test frames.
    assert.deepEqual(a.meta.onnx, { file: "model.onnx", kind: "full", input: "image", output: "probabilities" });
    const frames = (await readFile(config.source && "annotations" in config.source ? config.source.annotations : "", "utf8")).trim().split("\n").map((l) => join(tmp(), (JSON.parse(l) as { frame_path: string }).frame_path));
    const backbone = await loadBackbone(config.backbone);
    const emb = await embedImages(frames, backbone);
    await backbone.dispose();
    const head = new HeadModel((await readHeadFiles(a.runDir)).spec, 0);
    head.setWeights(await readHeadFiles(a.runDir));
    const expected = head.predictLogits(emb.features, frames.length).map(sigmoid);
    head.dispose();
    const got = await predictWithOnnx(join(a.runDir, "model.onnx"), frames);
    got.forEach((p, i) => assert.ok(Math.abs((p.probabilities["importance"] ?? -1) - (expected[i] ?? 0)) < 1e-5, `frame ${i}`));
  });

  it("stops between batches when aborted and leaves the folder marked cancelled", async () => {
    const config = await setup();
    const controller = new AbortController();
    await assert.rejects(
      trainFrameImportance({ ...config, runId: "c" }, { signal: controller.signal, onEpoch: (e) => e.epoch === 3 && controller.abort() }),
      (e: unknown) => isTrainsetError(e, "ABORTED"),
    );
    const meta = JSON.parse(await readFile(join(config.runsDir, "c", "meta.json"), "utf8")) as { status: string; epochs_run: number };
    assert.equal(meta.status, "cancelled");
    assert.equal(meta.epochs_run, 3);
    assert.ok(existsSync(join(config.runsDir, "c", "head.bin")));
  });

  it("runs from the command line: trainset train-importance", async () => {
    const config = await setup();
    const source = config.source as { annotations: string };
    const backbone = config.backbone.path ?? "";
    const r = await runCli(["train-importance", "--annotations", source.annotations, "--backbone", backbone, "--epochs", "3", "--runs-dir", config.runsDir, "--run-id", "cli", "--tf-backend", "wasm", "--quiet"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /test: MAE \d\.\d{4} \(predicting the mean: \d\.\d{4}\), RMSE/);
    assert.ok(existsSync(join(config.runsDir, "cli", "model.onnx")));
    const bad = await runCli(["train-importance", "--annotations", source.annotations, "--loss", "huber"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--loss must be mse or bce, got "huber"/);
  });

  it("refuses a bad rating before making a run folder", async () => {
    const config = await setup();
    await writeFile(join(tmp(), "bad.jsonl"), '{"frame_path":"frames/f0.png","rating":"high"}\n');
    await assert.rejects(trainFrameImportance({ ...config, source: { annotations: join(tmp(), "bad.jsonl") } }), /line 1: Rating must be between 0\.0 and 1\.0, got "high"/);
    assert.equal(existsSync(config.runsDir), false);
  });
});

describe("trainPreferenceModel()", function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it("learns that the brighter image is kept: held-out pairwise accuracy well above chance, deterministic", async () => {
    const root = tmp();
    const frames = await makeFrames(root, 60);
    const records: PairsRecord[] = [];
    for (let g = 0; g < 20; g++) {
      const group = frames.slice(g * 3, g * 3 + 3).sort((x, y) => y.rating - x.rating);
      const [chosen, ...negs] = group;
      records.push({ project: "p", timestamp: `20240101_0000${String(g).padStart(2, "0")}`, chosen_path: chosen!.path, chosen_stage: 1, neg_paths: negs.map((n) => n.path), neg_stages: negs.map(() => 1), was_cropped: false });
    }
    records.push({ project: "p", timestamp: "20240102_000000", chosen_path: null, chosen_stage: null, neg_paths: [frames[0]!.path], neg_stages: [1], was_cropped: false });
    await writePairsJsonl(join(root, "pairs.jsonl"), records);
    await writeTinyOnnxBackbone(join(root, "tiny.onnx"), { channels: 8 });
    const config = { pairs: join(root, "pairs.jsonl"), backbone: { kind: "onnx" as const, path: join(root, "tiny.onnx") }, runsDir: join(root, "runs"), cacheDir: join(root, "cache"), numEpochs: 40, batchSize: 8, tfBackend: "wasm" as const, testSplit: 0.3 };
    const a = await trainPreferenceModel({ ...config, runId: "a" });
    assert.equal(a.meta.data.rejected_groups, 1);
    assert.equal(a.meta.data.groups, 20);
    const t = a.meta.test_metrics!;
    assert.ok(t.pairs > 0 && (t.accuracy ?? 0) >= 0.8, JSON.stringify(t));
    assert.ok((t.top1_accuracy ?? 0) > (t.top1_chance ?? 1), JSON.stringify(t));
    const b = await trainPreferenceModel({ ...config, runId: "b" });
    assert.deepEqual(b.meta.test_metrics, a.meta.test_metrics);
    assert.equal(a.meta.onnx?.output, "scores");
    const scores = await predictWithOnnx(join(a.runDir, "model.onnx"), [records[0]!.chosen_path!, records[0]!.neg_paths[1]!]);
    assert.ok((scores[0]?.probabilities["score"] ?? 0) > (scores[1]?.probabilities["score"] ?? 0));
  });

  it("names the pairs file when it has too few decisions", async () => {
    const root = tmp();
    await writePairsJsonl(join(root, "pairs.jsonl"), [{ project: "p", timestamp: "20240101_000000", chosen_path: null, chosen_stage: null, neg_paths: ["a.jpg"], neg_stages: [1], was_cropped: false }]);
    await assert.rejects(trainPreferenceModel({ pairs: join(root, "pairs.jsonl"), backbone: { kind: "builtin" }, runsDir: join(root, "runs") }), /pairs\.jsonl": 0 decisions/);
  });
});
