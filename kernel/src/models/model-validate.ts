/**
 * Deploy-time validation of a version: every listed file present with its size and SHA-256, the
 * model loadable, and a smoke inference on one sample giving finite outputs (a head run: its
 * weights applied to one embedding; an ONNX model: onnxruntime-node on one input).
 */
import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { errorMessage, TrainsetError } from "../util/errors.js";
import { sha256File } from "../util/hashing.js";
import { readRun } from "../train/run-folder.js";
import { readVersionManifest, type ModelVersion } from "./model-version.js";
import { smokeOnnx } from "./onnx-smoke.js";
import { smokeHead } from "./head-smoke.js";

/** What validation checked. */
export interface ValidateVersionResult {
  version: ModelVersion;
  /** One line per check, e.g. `3 files complete`, `onnx: model.onnx ran on 1x3x224x224 input -> 1x10`. */
  checks: string[];
}

/** Options for {@link validateVersion}. */
export interface ValidateVersionOptions {
  /** Skip re-hashing files (sizes are still checked). */
  skipHashes?: boolean;
  /**
   * An image to run the whole model on: `model.onnx` via onnxruntime (trainset metadata), else a
   * head run folder via its recorded backbone (`predict`). Without it the smoke inference uses a
   * synthetic input.
   */
  sample?: string;
}

async function smokeSample(v: ModelVersion, versionDir: string, sample: string): Promise<string> {
  let predictions;
  try {
    if (v.files.some((f) => f.path === "model.onnx")) {
      const { predictWithOnnx } = await import("../train/onnx-predict.js");
      predictions = await predictWithOnnx(join(versionDir, "model.onnx"), [sample]);
    } else if (v.kind === "trainset-head") {
      const { predict } = await import("../train/predict.js");
      predictions = await predict(versionDir, [sample]);
    } else {
      fail(v, `a sample inference needs a model.onnx or a head run folder, this version is "${v.kind}"`);
    }
  } catch (error) {
    if (error instanceof TrainsetError && error.message.startsWith(`Cannot deploy model "${v.model}"`)) throw error;
    fail(v, `the sample inference on "${basename(sample)}" failed (${errorMessage(error)})`, error);
  }
  const probs = predictions[0]?.probabilities ?? {};
  const entries = Object.entries(probs);
  if (entries.length === 0 || !entries.every(([, p]) => Number.isFinite(p))) fail(v, `the sample inference on "${basename(sample)}" gave no finite outputs`);
  return `${basename(sample)} -> ${entries.slice(0, 4).map(([k, p]) => `${k} ${p.toFixed(3)}`).join(", ")}${entries.length > 4 ? ", ..." : ""}`;
}

function fail(v: ModelVersion, what: string, cause?: unknown): never {
  throw new TrainsetError("VALIDATION_ERROR", `Cannot deploy model "${v.model}" version "${v.version}": ${what}`, cause === undefined ? {} : { cause });
}

/**
 * Checks a version folder is complete, loadable and runs one inference.
 * @example const { checks } = await validateVersion("store/models/fi/versions/v3");
 */
export async function validateVersion(versionDir: string, options: ValidateVersionOptions = {}): Promise<ValidateVersionResult> {
  const v = await readVersionManifest(versionDir);
  const checks: string[] = [];
  for (const f of v.files) {
    const full = join(versionDir, ...f.path.split("/"));
    const size = await stat(full).then((s) => s.size, () => -1);
    if (size < 0) fail(v, `file ${f.path} is missing`);
    if (size !== f.bytes) fail(v, `file ${f.path} has ${size} bytes, expected ${f.bytes}`);
    if (options.skipHashes !== true && (await sha256File(full)) !== f.sha256) fail(v, `file ${f.path} does not match its SHA-256`);
  }
  checks.push(`${v.files.length} file${v.files.length === 1 ? "" : "s"} complete`);
  if (v.kind === "trainset-head") {
    try {
      const run = await readRun(versionDir);
      checks.push(`head: ${smokeHead(run.weights)}`);
    } catch (error) {
      fail(v, `the head does not load or run (${errorMessage(error)})`, error);
    }
  }
  for (const f of v.files.filter((x) => x.path.endsWith(".onnx"))) {
    try {
      checks.push(`onnx: ${await smokeOnnx(join(versionDir, ...f.path.split("/")))}`);
    } catch (error) {
      fail(v, `${f.path} does not load or run in onnxruntime (${errorMessage(error)})`, error);
    }
  }
  if (options.sample !== undefined) checks.push(`sample: ${await smokeSample(v, versionDir, options.sample)}`);
  else if (v.kind === "files") checks.push("opaque files: no inference check");
  return { version: v, checks };
}
