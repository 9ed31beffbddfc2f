/**
 * Writes a run's deployable ONNX file: `model.onnx` (backbone cut at its feature node + head +
 * sigmoid) when the backbone is an ONNX file, otherwise `head.onnx` (the head alone, input =
 * embedding) for the built-in tfjs backbone, which has no ONNX graph to extend.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import type { BackboneSpec } from "./backbone.js";
import type { HeadWeights } from "./head-spec.js";
import { buildHeadOnlyOnnx, runOnnxMetadata, writeRunOnnx, type OnnxHeadOutput, type RunOnnxMetadata } from "./onnx-export.js";
import type { RunOnnxInfo } from "./run-folder.js";

/** Options for {@link exportRunModel}: metadata plus the output kind. */
export interface ExportRunModelOptions extends RunOnnxMetadata {
  /** Default `sigmoid`. */
  output?: OnnxHeadOutput;
}

/**
 * Writes `model.onnx` or `head.onnx` into `runDir` atomically and says which.
 * @example meta.onnx = await exportRunModel(runDir, config.backbone, weights, { task: "multilabel", labels, preprocessing });
 */
export async function exportRunModel(runDir: string, backbone: BackboneSpec, weights: HeadWeights, options: ExportRunModelOptions): Promise<RunOnnxInfo> {
  const output = options.output ?? "sigmoid";
  const outputName = output === "sigmoid" ? "probabilities" : "scores";
  const metadata = runOnnxMetadata(options);
  if (backbone.kind === "onnx" && backbone.path !== undefined) {
    await writeRunOnnx(join(runDir, "model.onnx"), backbone.path, weights, { ...(backbone.output === undefined ? {} : { cutAt: backbone.output }), output, outputName, metadata });
    return { file: "model.onnx", kind: "full", input: "image", output: outputName };
  }
  await writeFileAtomic(join(runDir, "head.onnx"), buildHeadOnlyOnnx(weights, { output, outputName, metadata }));
  return { file: "head.onnx", kind: "head-only", input: "embedding", output: outputName };
}
