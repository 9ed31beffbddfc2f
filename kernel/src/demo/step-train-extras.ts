/**
 * Demo: the deployable model.onnx, the frame-importance head and the preference model, cheaply:
 * all on the legacy set's images with trainset's tiny code-made ONNX backbone (no download).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readLegacyJsonl } from "../formats/legacy-jsonl.js";
import { writePairsJsonl, type PairsRecord } from "../formats/pairs.js";
import { trainFrameImportance } from "../train/frame-importance.js";
import { predict } from "../train/predict.js";
import { trainPreferenceModel } from "../train/preference-model.js";
import { writeTinyOnnxBackbone } from "../train/tiny-onnx-backbone.js";
import { parseTrainConfig } from "../train/train-config.js";
import { train } from "../train/train.js";
import type { DemoContext, DemoStep } from "./demo-step.js";

function control(ctx: DemoContext): { signal?: AbortSignal; onProgress?: NonNullable<DemoContext["onProgress"]> } {
  return { ...(ctx.signal === undefined ? {} : { signal: ctx.signal }), ...(ctx.onProgress === undefined ? {} : { onProgress: ctx.onProgress }) };
}

/** Writes `runs/demo-onnx-*`, `runs/demo-importance-*` and `runs/demo-preference-*`. */
export const trainExtrasStep: DemoStep = {
  title: "model.onnx export, frame importance and preference heads (tiny ONNX backbone)",
  async run(ctx) {
    const stamp = Date.now();
    const backbone = { kind: "onnx" as const, path: join(ctx.root, "models", "tiny-backbone.onnx"), output: "features" };
    await mkdir(join(ctx.root, "models"), { recursive: true });
    await writeTinyOnnxBackbone(backbone.path, { channels: 16 });
    const cacheDir = join(ctx.root, ".trainset", "embeddings");
    const legacy = join(ctx.root, "legacy", "legacy_img_dicts.jsonl");

    const config = parseTrainConfig({ source: { kind: "legacy-jsonl", path: legacy }, backbone, runs_dir: join(ctx.root, "runs"), run_id: `demo-onnx-${stamp}`, cache_dir: cacheDir, num_epochs: 8, warmup_epochs: 1, batch_size: 8 });
    const run = await train(config, control(ctx));
    const sample = (await readLegacyJsonl(legacy, { mode: "collect" })).records.slice(0, 8).map(({ record }) => join(ctx.root, "legacy", "images", record.filename));
    const [head, onnx] = [await predict(run.runDir, sample), await predict(run.runDir, sample, { engine: "onnx" })];
    const diff = Math.max(...head.flatMap((p, i) => Object.entries(p.probabilities).map(([l, v]) => Math.abs(v - (onnx[i]?.probabilities[l] ?? Infinity)))));
    ctx.note(`${run.runDir.slice(ctx.root.length + 1)}/model.onnx: backbone cut at "features" + head + sigmoid; largest difference from the in-process model on ${sample.length} images ${diff.toExponential(1)}`);

    // Ratings and decisions derived from the legacy labels: more labels present = more important.
    const { records } = await readLegacyJsonl(legacy, { mode: "collect" });
    const rated = records.map(({ record }) => ({ path: join("images", record.filename), labels: record.labels?.length ?? 0, exam: record.old_examination_id }));
    await writeFile(join(ctx.root, "legacy", "ratings.jsonl"), rated.map((r) => JSON.stringify({ frame_path: r.path, rating: Math.min(1, r.labels / 3), video_id: r.exam ?? "none" })).join("\n") + "\n");
    const importance = await trainFrameImportance({ source: { annotations: join(ctx.root, "legacy", "ratings.jsonl") }, backbone, runsDir: join(ctx.root, "runs"), runId: `demo-importance-${stamp}`, cacheDir, numEpochs: 30, batchSize: 8 }, control(ctx));
    const t = importance.meta.test_metrics;
    ctx.note(`${importance.runDir.slice(ctx.root.length + 1)}: frame importance, test MAE ${t?.mae?.toFixed(3) ?? "-"} (mean predictor ${importance.meta.test_baseline_mae?.toFixed(3) ?? "-"}), Spearman ${t?.spearman?.toFixed(2) ?? "-"}`);

    const pairs: PairsRecord[] = [];
    for (let g = 0; g + 3 <= rated.length; g += 3) {
      const group = rated.slice(g, g + 3).sort((a, b) => b.labels - a.labels);
      const [chosen, ...rest] = group;
      if (chosen === undefined || rest.some((r) => r.labels === chosen.labels)) continue;
      pairs.push({ project: "demo", timestamp: `20240101_${String(100000 + g)}`, chosen_path: chosen.path, chosen_stage: 1, neg_paths: rest.map((r) => r.path), neg_stages: rest.map(() => 1), was_cropped: false });
    }
    await writePairsJsonl(join(ctx.root, "legacy", "pairs.jsonl"), pairs);
    const preference = await trainPreferenceModel({ pairs: join(ctx.root, "legacy", "pairs.jsonl"), backbone, runsDir: join(ctx.root, "runs"), runId: `demo-preference-${stamp}`, cacheDir, numEpochs: 30, batchSize: 8, testSplit: 0.3 }, control(ctx));
    const p = preference.meta.test_metrics;
    ctx.note(`${preference.runDir.slice(ctx.root.length + 1)}: preference model on ${pairs.length} decisions, test pairwise accuracy ${p?.accuracy?.toFixed(2) ?? "-"}, top-1 ${p?.top1_accuracy?.toFixed(2) ?? "-"} (chance ${p?.top1_chance?.toFixed(2) ?? "-"})`);
  },
};
