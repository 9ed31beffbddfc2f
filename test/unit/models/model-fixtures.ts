/** Small real model folders for registry tests: head-only runs (meta/head.json/head.bin) and ONNX files. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderBoxes } from "../../../kernel/src/demo/synthetic-images.js";
import { buildRunOnnx, runOnnxMetadata } from "../../../kernel/src/train/onnx-export.js";
import { buildTinyOnnxBackbone } from "../../../kernel/src/train/tiny-onnx-backbone.js";

/** Options for {@link makeHeadRun}. */
export interface HeadRunFixture {
  /** Metrics written as `test_metrics` (e.g. `{ mae: 0.12 }`). */
  test?: Record<string, number>;
  inputDim?: number;
  /** Value every weight gets; a tag that makes each run's files distinct. */
  tag?: number;
  /** Extra bytes file so a copy takes a moment (crash tests). */
  paddingBytes?: number;
}

/** Writes a completed head-only run folder (linear head) into `dir`. */
export async function makeHeadRun(dir: string, options: HeadRunFixture = {}): Promise<string> {
  const d = options.inputDim ?? 8;
  const out = 2;
  const tag = options.tag ?? 1;
  await mkdir(dir, { recursive: true });
  const w1 = new Float32Array(d * out).fill(tag / 100);
  const b1 = new Float32Array(out).fill(tag);
  const bin = new Float32Array(w1.length + b1.length);
  bin.set(w1, 0);
  bin.set(b1, w1.length);
  await writeFile(join(dir, "head.bin"), new Uint8Array(bin.buffer));
  const spec = { kind: "linear", inputDim: d, outputDim: out, hiddenUnits: 0, dropout: 0 };
  await writeFile(join(dir, "head.json"), JSON.stringify({ format: "trainset-head/1", spec, tensors: [{ name: "w1", shape: [d, out], offset: 0 }, { name: "b1", shape: [out], offset: w1.length }] }));
  const meta = {
    run_id: `run-${tag}`,
    status: "completed",
    task: "frame-importance",
    config: { seed: 42, tag },
    history: { train_loss: [0.3, 0.2, 0.1], val_mae: [0.2] },
    data: { frames: 120, splits: { train: 84, val: 24, test: 12 } },
    backend: { tfjs: "4", package: "@tensorflow/tfjs", backbone: "tiny" },
    ...(options.test === undefined ? {} : { test_metrics: options.test }),
    seconds: 30,
  };
  await writeFile(join(dir, "meta.json"), JSON.stringify(meta));
  if (options.paddingBytes !== undefined) await writeFile(join(dir, "padding.bin"), Buffer.alloc(options.paddingBytes, tag % 256));
  return dir;
}

/** Writes a tiny real ONNX model (conv -> pool; input 1x3x32x32) to `path`. */
export async function makeOnnx(path: string, seed = 1): Promise<string> {
  await writeFile(path, buildTinyOnnxBackbone({ channels: 4, size: 32, seed }));
  return path;
}

/** Writes a folder with a full trainset `model.onnx` (tiny backbone + 2-label head + metadata) and a sample PNG. */
export async function makeOnnxRun(dir: string): Promise<{ dir: string; sample: string }> {
  await mkdir(dir, { recursive: true });
  const head = {
    spec: { kind: "linear" as const, inputDim: 4, outputDim: 2, hiddenUnits: 0, dropout: 0 },
    tensors: [
      { name: "w1", shape: [4, 2], values: Float32Array.from([0.5, -0.5, 0.25, -0.25, 0.1, 0.2, 0.3, 0.4]) },
      { name: "b1", shape: [2], values: Float32Array.from([0, 0.1]) },
    ],
  };
  const metadata = runOnnxMetadata({ task: "multilabel", labels: ["a", "b"], preprocessing: { size: 32, normalize: "unit", layout: "nchw" } });
  await writeFile(join(dir, "model.onnx"), buildRunOnnx(buildTinyOnnxBackbone({ channels: 4, size: 32 }), head, { metadata }));
  const sample = join(dir, "..", "sample.png");
  await writeFile(sample, await renderBoxes(32, 32, [], 1));
  return { dir, sample };
}
