/** Predictions of a saved run on new images: same backbone, cached embeddings, the run's thresholds. */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { TrainsetError } from "../util/errors.js";
import { predictWithOnnx } from "./onnx-predict.js";
import type { RunControl } from "../util/run-control.js";
import { loadBackbone, type BackboneSpec } from "./backbone.js";
import { embedImages } from "./embeddings-cache.js";
import { HeadModel } from "./head-model.js";
import { sigmoid } from "./losses.js";
import { readRun } from "./run-folder.js";
import { selectTfBackend } from "./tf-backend.js";

/** One image's scores. */
export interface Prediction {
  image: string;
  /** Label → probability. */
  probabilities: Record<string, number>;
  /** Labels at or above their tuned threshold. */
  labels: string[];
}

/** Options for {@link predict}. */
export interface PredictOptions extends RunControl {
  cacheDir?: string;
  /**
   * `head` (default): backbone + cached embeddings + the tfjs head; `onnx`: the run's
   * `model.onnx` alone in onnxruntime (runs whose backbone is an ONNX file).
   */
  engine?: "head" | "onnx";
}

/**
 * Scores images with a run's head (the backbone recorded in its config).
 * @example const preds = await predict("runs/r1", ["a.jpg"]);
 */
export async function predict(runDir: string, images: readonly string[], options: PredictOptions = {}): Promise<Prediction[]> {
  const { meta, weights } = await readRun(runDir);
  if (options.engine === "onnx") {
    if (meta.onnx?.kind !== "full")
      throw new TrainsetError("VALIDATION_ERROR", `Cannot predict with "${runDir}/model.onnx": the run has no full ONNX model (its backbone is not an ONNX file; use the head engine)`, { file: runDir, field: "engine" });
    return predictWithOnnx(join(runDir, meta.onnx.file), images, options);
  }
  const config = meta.config as { backbone?: BackboneSpec; tf_backend?: "auto"; cache_dir?: string };
  const backend = await selectTfBackend(config.tf_backend ?? "auto");
  const backbone = await loadBackbone(config.backbone ?? {});
  let emb;
  try {
    emb = await embedImages(images, backbone, {
      ...(options.cacheDir ?? config.cache_dir) === undefined ? {} : { cacheDir: options.cacheDir ?? config.cache_dir ?? "" },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  } finally {
    await backbone.dispose();
  }
  await tf.setBackend(backend.name);
  const head = new HeadModel(weights.spec, 0);
  head.setWeights(weights);
  const z = head.predictLogits(emb.features, images.length);
  head.dispose();
  const labels = meta.used_label_names;
  const L = labels.length;
  return images.map((image, i) => {
    const probabilities: Record<string, number> = {};
    const on: string[] = [];
    labels.forEach((l, j) => {
      const p = sigmoid(z[i * L + j] ?? 0);
      probabilities[l] = p;
      if (p >= (meta.thresholds?.[l] ?? 0.5)) on.push(l);
    });
    return { image, probabilities, labels: on };
  });
}
