/**
 * The built-in backbone's tfjs layers model: the MobileNetV2 that the nsfwjs package bundles
 * (no download), cut before its classifier. Kept out of the public barrel: its tfjs types would
 * weigh on every notebook cell's type check.
 */
import { createRequire } from "node:module";
import { join, sep } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { TrainsetError } from "../util/errors.js";
import { sha256Hex } from "../util/hashing.js";

/** The layer whose input is the 1280-d pooled MobileNetV2 feature. */
export const BUILTIN_CUT = "dense_1";

/** The built-in MobileNetV2 as a tfjs layers model cut at its pooled features, and its weights' hash. */
export interface BuiltinLayersModel {
  /** The whole nsfwjs model (dispose this one). */
  full: tf.LayersModel;
  /** Input [N,224,224,3] in 0..1 → 1280-d features; shares layers with `full`. */
  features: tf.LayersModel;
  weightsHash: string;
}

/**
 * Loads nsfwjs's MobileNetV2 (bundled in the npm package, no download) as a layers model.
 * @example const { features, full } = await loadBuiltinLayersModel();
 */
export async function loadBuiltinLayersModel(): Promise<BuiltinLayersModel> {
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
  return { full, features: tf.model({ inputs: full.inputs, outputs: cutInput }), weightsHash: sha256Hex(base64) };
}

