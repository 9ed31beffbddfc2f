/**
 * tfjs backend choice: `auto` picks tfjs-node-gpu > tfjs-node > wasm > cpu. Native packages are
 * optional (tfjs-node-gpu cannot install where libtensorflow's host is blocked), so they are
 * loaded by dynamic import and skipped when absent.
 */
import * as tf from "@tensorflow/tfjs";
import { TrainsetError } from "../util/errors.js";

/** What the user may ask for. */
export type TfBackendChoice = "auto" | "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";

/** The backend in use and where it came from. */
export interface TfBackendInfo {
  /** tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
  name: string;
  /** The package that provides it. */
  package: string;
}

let wasmLoaded = false;

/** Dynamic import that TypeScript does not try to resolve (the packages are optional). */
async function tryImport(specifier: string): Promise<boolean> {
  try {
    await (import(specifier) as Promise<unknown>);
    return true;
  } catch {
    return false;
  }
}

/**
 * Selects and initialises a tfjs backend; throws DEPENDENCY_MISSING when an explicit one is absent.
 * @example const info = await selectTfBackend("auto"); // { name: "wasm", package: "@tensorflow/tfjs-backend-wasm" }
 */
export async function selectTfBackend(choice: TfBackendChoice = "auto"): Promise<TfBackendInfo> {
  const order: TfBackendChoice[] = choice === "auto" ? ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] : [choice];
  for (const c of order) {
    if (c === "tensorflow-gpu" || c === "tensorflow") {
      const pkg = c === "tensorflow-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
      if ((await tryImport(pkg)) && (await tf.setBackend("tensorflow"))) return { name: "tensorflow", package: pkg };
      if (choice !== "auto")
        throw new TrainsetError("DEPENDENCY_MISSING", `Cannot use tfjs backend "${c}": install ${pkg} (npm install ${pkg})`);
      continue;
    }
    if (c === "wasm") {
      if (!wasmLoaded) wasmLoaded = await tryImport("@tensorflow/tfjs-backend-wasm");
      if (wasmLoaded && (await tf.setBackend("wasm"))) return { name: "wasm", package: "@tensorflow/tfjs-backend-wasm" };
      if (choice !== "auto")
        throw new TrainsetError("DEPENDENCY_MISSING", 'Cannot use tfjs backend "wasm": install @tensorflow/tfjs-backend-wasm');
      continue;
    }
    if (await tf.setBackend("cpu")) return { name: "cpu", package: "@tensorflow/tfjs" };
  }
  throw new TrainsetError("DEPENDENCY_MISSING", "Cannot start tfjs: no backend could be initialised");
}

/** Which tfjs backends are present (doctor, trainable-backbone checks). */
export interface TfBackendAvailability {
  tensorflowGpu: boolean;
  tensorflow: boolean;
  wasm: boolean;
}

/**
 * The backend `auto` picks from what is present: tfjs-node-gpu > tfjs-node > wasm > cpu.
 * @example pickAutoTfBackend({ tensorflowGpu: false, tensorflow: false, wasm: true }) // "wasm"
 */
export function pickAutoTfBackend(available: TfBackendAvailability): Exclude<TfBackendChoice, "auto"> {
  return available.tensorflowGpu ? "tensorflow-gpu" : available.tensorflow ? "tensorflow" : available.wasm ? "wasm" : "cpu";
}

/** What to install for a trainable backbone. */
export const NATIVE_TF_INSTALL_HINT =
  "install @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (CUDA) where their libtensorflow download is reachable: npm install @tensorflow/tfjs-node";

/**
 * Throws DEPENDENCY_MISSING unless `info` is a native tfjs backend: the wasm and cpu backends
 * lack fast conv gradients, so a trainable backbone (lx-ai's unfreeze) needs tfjs-node(-gpu).
 * @example requireNativeTfBackend(await selectTfBackend("auto"), "train with freeze_backbone false");
 */
export function requireNativeTfBackend(info: TfBackendInfo, action: string): void {
  if (info.name !== "tensorflow")
    throw new TrainsetError("DEPENDENCY_MISSING", `Cannot ${action}: a trainable backbone needs a native tfjs backend, but the backend in use is "${info.name}" (${info.package}); ${NATIVE_TF_INSTALL_HINT}`, { field: "freeze_backbone" });
}
