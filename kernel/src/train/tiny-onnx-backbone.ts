/**
 * A tiny ONNX feature extractor made in code (seeded conv 5×5/4 → ReLU → global average pool →
 * flatten, output `features`): for the demo and tests that need a real ONNX backbone without
 * Python or a download. It carries colour and texture, not semantics: not for real data.
 */
import { createRequire } from "node:module";
import { writeFileAtomic } from "../util/atomic-write.js";
import { seededRandom } from "../util/seeded-random.js";

import type { onnx as OnnxTypes } from "onnx-proto";

type OnnxNs = typeof OnnxTypes;
const onnx: OnnxNs = (createRequire(import.meta.url)("onnx-proto") as { onnx: OnnxNs }).onnx;

/** Options for {@link buildTinyOnnxBackbone}. */
export interface TinyOnnxBackboneOptions {
  /** Feature channels (default 16). */
  channels?: number;
  /** Input size (default 224; NCHW). */
  size?: number;
  /** Weight seed (default 1). */
  seed?: number;
}

/**
 * Bytes of the tiny backbone: input `input` [N,3,size,size], output `features` [N,channels].
 * @example await writeFile("tiny.onnx", buildTinyOnnxBackbone({ channels: 8 }));
 */
export function buildTinyOnnxBackbone(options: TinyOnnxBackboneOptions = {}): Uint8Array {
  const c = options.channels ?? 16;
  const size = options.size ?? 224;
  const random = seededRandom(options.seed ?? 1);
  const w = Float32Array.from({ length: c * 3 * 5 * 5 }, () => (random() * 2 - 1) * 0.2);
  const b = Float32Array.from({ length: c }, () => (random() * 2 - 1) * 0.1);
  const raw = (v: Float32Array): Uint8Array => new Uint8Array(v.buffer.slice(0));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "trainset-tiny-backbone",
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "tiny_backbone",
      input: [{ name: "input", type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: "N" }, { dimValue: 3 }, { dimValue: size }, { dimValue: size }] } } } }],
      output: [{ name: "features", type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: "N" }, { dimValue: c }] } } } }],
      initializer: [
        { name: "conv_w", dims: [c, 3, 5, 5], dataType: 1, rawData: raw(w) },
        { name: "conv_b", dims: [c], dataType: 1, rawData: raw(b) },
      ],
      node: [
        { opType: "Conv", input: ["input", "conv_w", "conv_b"], output: ["conv"], name: "conv", attribute: [{ name: "strides", type: 7, ints: [4, 4] }, { name: "kernel_shape", type: 7, ints: [5, 5] }] },
        { opType: "Relu", input: ["conv"], output: ["relu"], name: "relu" },
        { opType: "GlobalAveragePool", input: ["relu"], output: ["pool"], name: "pool" },
        { opType: "Flatten", input: ["pool"], output: ["features"], name: "flatten", attribute: [{ name: "axis", type: 2, i: 1 }] },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Writes the tiny backbone to `path` atomically.
 * @example await writeTinyOnnxBackbone("demo/tiny-backbone.onnx");
 */
export async function writeTinyOnnxBackbone(path: string, options: TinyOnnxBackboneOptions = {}): Promise<void> {
  await writeFileAtomic(path, buildTinyOnnxBackbone(options));
}
