/**
 * Bench `train` (issue 8): ~1,000 synthetic 224² images (9 labels, each a coloured stripe, plus
 * noise; examinations of 5), a ResNet50 from Debian's torchvision (weights=None, seed 0, BatchNorm
 * recalibrated on the data, see notes/training-bench.md) exported to ONNX so both sides use the
 * same weights. Peer: bench/peers/train_torch.py, lx-ai's loop in PyTorch CPU (frozen backbone,
 * linear head, focal loss + class weights, AdamW, warmup + cosine, batch 32, 10 epochs) with
 * features computed once; lx-ai recomputes them every epoch, so its time is that run plus 9 more
 * measured feature passes. trainset: `trainset train --backbone resnet50.onnx` from an empty
 * embeddings cache, end to end (decode, ONNX forward, head, metrics, run folder).
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runMeasured, SYSTEM_PYTHON, type BenchEntry } from "./harness.js";

const EPOCHS = 10;

interface TorchResult {
  feature_pass_s: number;
  head_s: number;
  images: number;
  test_macro_f1: number;
  test_macro_f1_tuned: number;
  test_map: number;
}

interface Meta {
  seconds: number;
  data: { images: number; backbone_seconds: number; embedded: number };
  backend: { tfjs: string };
  test_metrics_final: { macro_f1: number };
  test_metrics_tuned: { macro_f1: number; map: number };
}

function lastJson<T>(text: string): T {
  const line = text.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (line === undefined) throw new Error(`bench train: no JSON in output:\n${text.slice(-500)}`);
  return JSON.parse(line) as T;
}

/** The train bench entry. */
export const trainBench: BenchEntry = {
  name: "train",
  issue: 8,
  async run(ctx) {
    const n = ctx.quick ? 200 : 1000;
    const dir = join(ctx.workDir, `train-${n}`);
    const peer = (name: string): string => fileURLToPath(new URL(`./peers/${name}`, import.meta.url));
    if (!existsSync(join(dir, "resnet50.onnx"))) {
      ctx.log(`train: making ${n} images and the ResNet50 (BatchNorm recalibrated, ONNX export)…`);
      await runMeasured(SYSTEM_PYTHON, [peer("train_make_data.py"), dir, String(n)]);
    }
    ctx.log("train: PyTorch, lx-ai's loop with features computed once…");
    const torchRun = await runMeasured(SYSTEM_PYTHON, [peer("train_torch.py"), dir, String(EPOCHS)]);
    const torch = lastJson<TorchResult>(torchRun.stdout);
    ctx.log("train: trainset train (empty embeddings cache)…");
    await rm(join(dir, "cache"), { recursive: true, force: true });
    await rm(join(dir, "runs"), { recursive: true, force: true });
    const root = fileURLToPath(new URL("..", import.meta.url));
    const ours = await runMeasured(
      process.execPath,
      ["--conditions=trainset-source", "--import", "tsx", "kernel/src/cli/run.ts", "train", "--legacy", join(dir, "legacy.jsonl"),
        "--backbone", join(dir, "resnet50.onnx"), "--backbone-output", "features", "--epochs", String(EPOCHS),
        "--cache-dir", join(dir, "cache"), "--runs-dir", join(dir, "runs"), "--run-id", "bench", "--json", "--quiet"],
      { cwd: root },
    );
    const meta = lastJsonBlock<Meta>(ours.stdout);
    const lxAi = torchRun.seconds + (EPOCHS - 1) * torch.feature_pass_s;
    const oursImgS = meta.data.embedded / meta.data.backbone_seconds;
    const torchImgS = torch.images / torch.feature_pass_s;
    const mem = `peak RSS trainset ${ours.maxRssMb.toFixed(0)} MB, PyTorch ${torchRun.maxRssMb.toFixed(0)} MB`;
    const dF1 = meta.test_metrics_tuned.macro_f1 - torch.test_macro_f1_tuned;
    return [
      {
        case: `train ResNet50-ONNX head, ${n} imgs, ${EPOCHS} epochs, end to end vs lx-ai loop (features every epoch)`,
        trainset: `${ours.seconds.toFixed(1)} s`,
        peer: `${lxAi.toFixed(1)} s (${torchRun.seconds.toFixed(1)} s + ${EPOCHS - 1} x ${torch.feature_pass_s.toFixed(1)} s)`,
        ratio: lxAi / ours.seconds,
        goal: ">= 5x",
        met: lxAi / ours.seconds >= 5,
        notes: mem,
      },
      {
        case: "train vs PyTorch with a feature cache (features once)",
        trainset: `${ours.seconds.toFixed(1)} s`,
        peer: `${torchRun.seconds.toFixed(1)} s`,
        ratio: torchRun.seconds / ours.seconds,
        goal: "> 1x",
        met: torchRun.seconds / ours.seconds > 1,
        notes: `tfjs ${meta.backend.tfjs}`,
      },
      {
        case: "backbone forward img/s (decode + ResNet50 224²)",
        trainset: `${oursImgS.toFixed(1)} img/s (onnxruntime)`,
        peer: `${torchImgS.toFixed(1)} img/s (PyTorch CPU)`,
        ratio: oursImgS / torchImgS,
        goal: ">= 2.5x",
        met: oursImgS / torchImgS >= 2.5,
      },
      {
        case: "test macro-F1 at thresholds tuned on val (AP: threshold-free)",
        trainset: `F1 ${meta.test_metrics_tuned.macro_f1.toFixed(3)}, mAP ${meta.test_metrics_tuned.map.toFixed(3)}, F1@0.5 ${meta.test_metrics_final.macro_f1.toFixed(3)}`,
        peer: `F1 ${torch.test_macro_f1_tuned.toFixed(3)}, mAP ${torch.test_map.toFixed(3)}, F1@0.5 ${torch.test_macro_f1.toFixed(3)}`,
        ratio: undefined,
        goal: "F1 within ±0.02",
        met: Math.abs(dF1) <= 0.02,
        notes: `difference ${dF1.toFixed(3)}; heads differ in init and batch order`,
      },
    ];
  },
};

/** The pretty-printed JSON object that `trainset train --json` prints. */
function lastJsonBlock<T>(text: string): T {
  const start = text.indexOf("{");
  if (start < 0) return lastJson<T>(text);
  return JSON.parse(text.slice(start)) as T;
}
