/**
 * Frozen image backbones that turn preprocessed images into embeddings: any ONNX export run by
 * onnxruntime-node (output node configurable), or the built-in MobileNetV2 that the nsfwjs
 * package ships (a Keras model run in tfjs, cut before its classifier).
 */
import * as ort from "onnxruntime-node";
import * as tf from "@tensorflow/tfjs";
import { sha256File, sha256Hex } from "../util/hashing.js";
import { BUILTIN_CUT, loadBuiltinLayersModel } from "./builtin-model.js";
import { loadTfjsBackbone } from "./fine-tune.js";
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
  /** `onnx` file, the built-in model (default `builtin`), or `tfjs`: a fine-tuned layers model (tfjs-node). */
  kind?: "onnx" | "builtin" | "tfjs";
  /** ONNX file, or the tfjs model.json. */
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
  if (spec.kind === "tfjs") {
    if (spec.path === undefined) throw new TypeError("Cannot load a tfjs backbone: give its model.json path");
    await selectTfBackend(spec.tfBackend ?? "auto");
    return loadTfjsBackbone(spec.path);
  }
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


async function loadBuiltinBackbone(spec: BackboneSpec): Promise<Backbone> {
  await selectTfBackend(spec.tfBackend ?? "auto");
  const { full, features: model, weightsHash } = await loadBuiltinLayersModel();
  const size = 224;
  return {
    name: "builtin:mobilenet-v2-nsfwjs",
    id: sha256Hex(`${weightsHash}|${BUILTIN_CUT}`),
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
