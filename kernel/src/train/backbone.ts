/**
 * Frozen image backbones that turn preprocessed images into embeddings: any ONNX export run by
 * onnxruntime-node (output node configurable), or the built-in MobileNetV2 that the nsfwjs
 * package ships (a Keras model run in tfjs, cut before its classifier).
 */
import { createRequire } from "node:module";
import { join, sep } from "node:path";
import * as ort from "onnxruntime-node";
import * as tf from "@tensorflow/tfjs";
import { sha256File, sha256Hex } from "../util/hashing.js";
import { TrainsetError } from "../util/errors.js";
import type { Preprocessing } from "./preprocess.js";
import { selectTfBackend, type TfBackendChoice } from "./tf-backend.js";

/** A loaded, frozen feature extractor. */
export interface Backbone {
  /** `onnx:<file>` or `builtin:mobilenet-v2-nsfwjs`. */
  name: string;
  /** Hash of the weights + cut point: part of the embeddings cache key. */
  id: string;
  preprocessing: Preprocessing;
  /** Runs `n` images laid out by `preprocessing`; returns n×dim features. */
  embed(batch: Float32Array, n: number): Promise<{ features: Float32Array; dim: number }>;
  dispose(): Promise<void>;
}

/** How to load a backbone. */
export interface BackboneSpec {
  /** `onnx` file or the built-in model (default `builtin`). */
  kind?: "onnx" | "builtin";
  /** ONNX file. */
  path?: string;
  /** ONNX output node to cut at (default the first output). */
  output?: string;
  /** Input size (default 224). */
  size?: number;
  /** Default `imagenet` for ONNX, `unit` for the built-in. */
  normalize?: Preprocessing["normalize"];
  /** ONNX Runtime intra-op threads (default: ORT's own choice). */
  threads?: number;
  /** tfjs backend of the built-in (default auto). */
  tfBackend?: TfBackendChoice;
}

/**
 * Loads a backbone.
 * @example const bb = await loadBackbone({ kind: "onnx", path: "resnet50.onnx", output: "features" });
 */
export async function loadBackbone(spec: BackboneSpec = {}): Promise<Backbone> {
  return spec.kind === "onnx" ? loadOnnxBackbone(spec) : loadBuiltinBackbone(spec);
}

async function loadOnnxBackbone(spec: BackboneSpec): Promise<Backbone> {
  const path = spec.path;
  if (path === undefined) throw new TypeError("Cannot load an ONNX backbone: give its path");
  let session: ort.InferenceSession;
  let hash: string;
  try {
    hash = await sha256File(path);
    session = await ort.InferenceSession.create(path, {
      ...(spec.threads === undefined ? {} : { intraOpNumThreads: spec.threads }),
      graphOptimizationLevel: "all",
    });
  } catch (error) {
    throw new TrainsetError("IO_ERROR", `Cannot load ONNX backbone "${path}": ${error instanceof Error ? error.message : String(error)}`, { file: path, cause: error });
  }
  const output = spec.output ?? session.outputNames[0] ?? "";
  if (!session.outputNames.includes(output))
    throw new TrainsetError("VALIDATION_ERROR", `Cannot use ONNX backbone "${path}": it has no output "${output}" (outputs: ${session.outputNames.join(", ")})`, { file: path, field: "output" });
  const input = session.inputNames[0] ?? "input";
  const size = spec.size ?? 224;
  const preprocessing: Preprocessing = { size, normalize: spec.normalize ?? "imagenet", layout: "nchw" };
  return {
    name: `onnx:${path}`,
    id: sha256Hex(`${hash}|${output}`),
    preprocessing,
    async embed(batch, n) {
      const x = new ort.Tensor("float32", batch.subarray(0, n * 3 * size * size), [n, 3, size, size]);
      const result = await session.run({ [input]: x }, [output]);
      const y = result[output];
      if (y === undefined) throw new TrainsetError("EXTERNAL_TOOL_FAILED", `Cannot run ONNX backbone "${path}": no output "${output}"`);
      const features = Float32Array.from(y.data as Float32Array);
      return { features, dim: features.length / n };
    },
    async dispose() {
      await session.release();
    },
  };
}

/** The layer whose input is the 1280-d pooled MobileNetV2 feature. */
const BUILTIN_CUT = "dense_1";

async function loadBuiltinBackbone(spec: BackboneSpec): Promise<Backbone> {
  await selectTfBackend(spec.tfBackend ?? "auto");
  const require = createRequire(import.meta.url);
  let topology: { modelTopology: tf.io.ModelJSON["modelTopology"]; weightsManifest: tf.io.WeightsManifestConfig };
  let base64: string;
  try {
    // The package's `exports` hide the model files: find its folder from its main entry.
    const main = require.resolve("nsfwjs");
    const root = main.slice(0, main.lastIndexOf(`${sep}dist${sep}`));
    const dir = join(root, "dist", "models", "mobilenet_v2");
    topology = require(join(dir, "model.min.js")) as typeof topology;
    base64 = require(join(dir, "group1-shard1of1.min.js")) as string;
  } catch (error) {
    throw new TrainsetError("DEPENDENCY_MISSING", "Cannot load the built-in backbone: the nsfwjs package is not installed (npm install nsfwjs@4.4.0)", { cause: error });
  }
  const buf = Buffer.from(base64, "base64");
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const full = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: topology.modelTopology, weightSpecs: topology.weightsManifest.flatMap((g) => g.weights), weightData }),
  );
  const cutInput = full.getLayer(BUILTIN_CUT).input;
  if (Array.isArray(cutInput)) throw new TrainsetError("VALIDATION_ERROR", "Cannot cut the built-in backbone: unexpected graph");
  const model = tf.model({ inputs: full.inputs, outputs: cutInput });
  const size = 224;
  return {
    name: "builtin:mobilenet-v2-nsfwjs",
    id: sha256Hex(`${sha256Hex(base64)}|${BUILTIN_CUT}`),
    preprocessing: { size, normalize: spec.normalize ?? "unit", layout: "nhwc" },
    async embed(batch, n) {
      const x = tf.tensor4d(batch.subarray(0, n * size * size * 3), [n, size, size, 3]);
      const y = model.predict(x) as tf.Tensor;
      const features = (await y.data()) as Float32Array;
      x.dispose();
      y.dispose();
      return { features, dim: features.length / n };
    },
    dispose() {
      full.dispose();
      return Promise.resolve();
    },
  };
}
