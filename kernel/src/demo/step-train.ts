/** Demo: lx-ai's multilabel training on the legacy set, with the built-in MobileNetV2 backbone. */
import { join } from "node:path";
import { parseTrainConfig } from "../train/train-config.js";
import { train } from "../train/train.js";
import type { DemoStep } from "./demo-step.js";

/** Trains a linear head for 15 epochs on `legacy/` and writes `runs/demo-train/`. */
export const trainStep: DemoStep = {
  title: "multi-label training on the legacy set (built-in backbone, cached embeddings)",
  async run(ctx) {
    const config = parseTrainConfig({
      source: { kind: "legacy-jsonl", path: join(ctx.root, "legacy", "legacy_img_dicts.jsonl") },
      backbone: { kind: "builtin" },
      runs_dir: join(ctx.root, "runs"),
      run_id: `demo-train-${Date.now()}`,
      cache_dir: join(ctx.root, ".trainset", "embeddings"),
      num_epochs: 15,
      warmup_epochs: 2,
      batch_size: 8,
    });
    const { meta, runDir } = await train(config, {
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
      ...(ctx.onProgress === undefined ? {} : { onProgress: ctx.onProgress }),
      onEpoch: (e) => ctx.onProgress?.({ phase: "train head", done: e.epoch, total: e.epochs, unit: "epochs" }),
    });
    const t = meta.test_metrics_tuned;
    ctx.note(
      `${runDir.slice(ctx.root.length + 1)}: ${String(meta.data["images"])} images (${String(meta.data["dropped_zero_positive"])} dropped without a positive), tfjs ${meta.backend.tfjs}, test mAP ${t?.map.toFixed(3) ?? "-"}, macro-F1 at tuned thresholds ${t?.macro_f1.toFixed(3) ?? "-"}`,
    );
  },
};
