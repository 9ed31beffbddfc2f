/**
 * Scores images with a run's `model.onnx` alone (backbone + head + sigmoid in one graph): the
 * labels, thresholds and preprocessing come from the file's metadata, no run folder or tfjs needed.
 */
import * as ort from "onnxruntime-node";
import { TrainsetError } from "../util/errors.js";
import { throttleProgress, throwIfAborted, type RunControl } from "../util/run-control.js";
import { readRunOnnxMetadata } from "./onnx-export.js";
import { loadImageInto } from "./preprocess.js";
import type { Prediction } from "./predict.js";

/** Options for {@link predictWithOnnx}. */
export interface PredictWithOnnxOptions extends RunControl {
  /** Images per forward (default 16). */
  batchSize?: number;
  /** ONNX Runtime intra-op threads (default: ORT's own choice). */
  threads?: number;
}

/**
 * Runs a trainset `model.onnx` on image files.
 * @example const preds = await predictWithOnnx("runs/r1/model.onnx", ["a.jpg"]);
 */
export async function predictWithOnnx(modelPath: string, images: readonly string[], options: PredictWithOnnxOptions = {}): Promise<Prediction[]> {
  const meta = await readRunOnnxMetadata(modelPath);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, { ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads }) });
  } catch (error) {
    throw new TrainsetError("IO_ERROR", `Cannot load ONNX model "${modelPath}": ${error instanceof Error ? error.message : String(error)}`, { file: modelPath, cause: error });
  }
  const progress = throttleProgress(options.onProgress);
  try {
    const pre = meta.preprocessing;
    const per = pre.size * pre.size * 3;
    const B = options.batchSize ?? 16;
    const batch = new Float32Array(B * per);
    const input = session.inputNames[0] ?? "input";
    const output = session.outputNames[0] ?? "probabilities";
    const L = meta.labels.length;
    const out: Prediction[] = [];
    for (let s = 0; s < images.length; s += B) {
      throwIfAborted(options.signal, "score images");
      const chunk = images.slice(s, s + B);
      await Promise.all(chunk.map((p, k) => loadImageInto(p, pre, batch, k * per)));
      const dims = pre.layout === "nchw" ? [chunk.length, 3, pre.size, pre.size] : [chunk.length, pre.size, pre.size, 3];
      const result = await session.run({ [input]: new ort.Tensor("float32", batch.subarray(0, chunk.length * per), dims) }, [output]);
      const y = result[output]?.data as Float32Array | undefined;
      if (y === undefined) throw new TrainsetError("EXTERNAL_TOOL_FAILED", `Cannot run ONNX model "${modelPath}": no output "${output}"`, { file: modelPath });
      chunk.forEach((image, k) => {
        const probabilities: Record<string, number> = {};
        const labels: string[] = [];
        meta.labels.forEach((l, j) => {
          const p = y[k * L + j] ?? 0;
          probabilities[l] = p;
          if (p >= (meta.thresholds?.[j] ?? 0.5)) labels.push(l);
        });
        out.push({ image, probabilities, labels });
      });
      progress({ phase: "score images", done: Math.min(s + B, images.length), total: images.length, unit: "images" });
    }
    return out;
  } finally {
    await session.release();
  }
}
