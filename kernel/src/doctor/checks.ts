/** Individual environment probes for `trainset doctor`; each returns one check line. */
import { execFile } from "node:child_process";
import { statfs } from "node:fs/promises";
import { createRequire } from "node:module";
import { freemem, totalmem } from "node:os";
import { promisify } from "node:util";
import { locateFfmpeg } from "../export/ffmpeg-binary.js";
import { errorMessage } from "../util/errors.js";
import { NATIVE_TF_INSTALL_HINT, pickAutoTfBackend } from "../train/tf-backend.js";

const run = promisify(execFile);
const GiB = 1024 ** 3;

/** pass: fine; warn: works but slower or risky; fail: a minimum is not met; info: a fact. */
export type CheckStatus = "pass" | "warn" | "fail" | "info";

/** One line of the doctor's report. */
export interface DoctorCheck {
  /** Stable id, e.g. `node`, `ffmpeg`, `tfjs-wasm`. */
  id: string;
  status: CheckStatus;
  /** One line for humans. */
  summary: string;
  /** What to do about it, when something can be done. */
  recommendation?: string;
  /** Machine-readable facts (paths, versions, sizes in bytes). */
  details?: Record<string, string | number | boolean>;
}

/** Node.js version: trainset needs 20.10 or newer. */
export function checkNode(version: string = process.versions.node): DoctorCheck {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const ok = major > 20 || (major === 20 && minor >= 10);
  return ok
    ? { id: "node", status: "pass", summary: `Node.js ${version}`, details: { version } }
    : { id: "node", status: "fail", summary: `Node.js ${version} is too old`, recommendation: "Install Node.js 20.10 or newer", details: { version } };
}

/** Which ffmpeg frame export will use. */
export async function checkFfmpeg(env: NodeJS.ProcessEnv = process.env): Promise<DoctorCheck> {
  try {
    const ffmpeg = await locateFfmpeg(env);
    const fromNpm = ffmpeg.source === "npm";
    return {
      id: "ffmpeg",
      status: fromNpm ? "warn" : "pass",
      summary: `ffmpeg ${ffmpeg.version} (${ffmpeg.source === "system" ? "system" : ffmpeg.source === "env" ? "TRAINSET_FFMPEG" : "npm @ffmpeg-installer, a 2018 static build"}) at ${ffmpeg.path}`,
      ...(fromNpm ? { recommendation: "Install a current ffmpeg (apt-get install ffmpeg) for faster, more exact frame extraction" } : {}),
      details: { path: ffmpeg.path, source: ffmpeg.source, version: ffmpeg.version },
    };
  } catch (error) {
    return { id: "ffmpeg", status: "fail", summary: "ffmpeg not found", recommendation: errorMessage(error) };
  }
}

/** Whether onnxruntime-node loads, and which execution providers it offers. */
export async function checkOnnxRuntime(): Promise<DoctorCheck> {
  try {
    const ort = (await import("onnxruntime-node")) as unknown as { listSupportedBackends?: () => Array<{ name: string; bundled: boolean }> };
    const require = createRequire(import.meta.url);
    const version = (require("onnxruntime-node/package.json") as { version: string }).version;
    const backends = ort.listSupportedBackends?.() ?? [{ name: "cpu", bundled: true }];
    // "bundled: false" providers (CUDA, TensorRT) need libraries that onnxruntime's postinstall
    // downloads; trainset skips that download, so they only work where the user installed them.
    const bundled = backends.filter((b) => b.bundled).map((b) => b.name);
    const optional = backends.filter((b) => !b.bundled).map((b) => b.name);
    return {
      id: "onnxruntime",
      status: "pass",
      summary: `onnxruntime-node ${version} (providers: ${bundled.join(", ")}${optional.length > 0 ? `; ${optional.join(", ")} only with their CUDA libraries installed` : ""})`,
      details: { version, providers: bundled.join(","), optionalProviders: optional.join(",") },
    };
  } catch (error) {
    return { id: "onnxruntime", status: "warn", summary: "onnxruntime-node does not load", recommendation: `Backbone embeddings need it: npm install onnxruntime-node (${errorMessage(error)})` };
  }
}

function resolvable(name: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** tfjs backends in trainset's preference order: tfjs-node-gpu > tfjs-node > wasm > cpu. */
export async function checkTfjsBackends(): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const gpu = resolvable("@tensorflow/tfjs-node-gpu");
  checks.push(
    gpu !== undefined
      ? { id: "tfjs-node-gpu", status: "pass", summary: `@tensorflow/tfjs-node-gpu ${gpu} installed (CUDA training, trainable backbones)`, details: { version: gpu } }
      : { id: "tfjs-node-gpu", status: "info", summary: "@tensorflow/tfjs-node-gpu not installed", recommendation: "On a CUDA machine with internet access to its binaries: npm install @tensorflow/tfjs-node-gpu" },
  );
  const node = resolvable("@tensorflow/tfjs-node");
  checks.push(
    node !== undefined
      ? { id: "tfjs-node", status: "pass", summary: `@tensorflow/tfjs-node ${node} installed (native CPU, trainable backbones)`, details: { version: node } }
      : { id: "tfjs-node", status: "info", summary: "@tensorflow/tfjs-node not installed (trainable backbones need it or tfjs-node-gpu)", recommendation: "npm install @tensorflow/tfjs-node where its libtensorflow download is reachable" },
  );
  try {
    const tf = await import("@tensorflow/tfjs");
    await import("@tensorflow/tfjs-backend-wasm");
    const wasmOk = await tf.setBackend("wasm");
    if (wasmOk) {
      const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync());
      const ok = sum[0] === 4 && sum[1] === 6;
      checks.push({ id: "tfjs-wasm", status: ok ? "pass" : "fail", summary: `@tensorflow/tfjs ${tf.version_core} wasm backend ${ok ? "runs" : "computes wrong results"} (frozen-backbone heads)`, details: { version: tf.version_core } });
    } else {
      checks.push({ id: "tfjs-wasm", status: "warn", summary: "tfjs wasm backend failed to initialise", recommendation: "Reinstall @tensorflow/tfjs-backend-wasm" });
    }
    checks.push({ id: "tfjs-cpu", status: "info", summary: "tfjs cpu backend available (slow fallback)" });
  } catch (error) {
    checks.push({ id: "tfjs-wasm", status: "warn", summary: "@tensorflow/tfjs does not load", recommendation: `Training needs it: npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm (${errorMessage(error)})` });
  }
  const wasm = checks.some((c) => c.id === "tfjs-wasm" && c.status === "pass");
  const auto = pickAutoTfBackend({ tensorflowGpu: gpu !== undefined, tensorflow: node !== undefined, wasm });
  const native = auto === "tensorflow-gpu" || auto === "tensorflow";
  checks.push({
    id: "tfjs-auto",
    status: "info",
    summary: `--tf-backend auto picks ${auto}; trainable backbones (freeze_backbone false) ${native ? "available" : "unavailable"}`,
    details: { auto, trainableBackbone: native },
    ...(native ? {} : { recommendation: `For a trainable backbone, ${NATIVE_TF_INSTALL_HINT}` }),
  });
  return checks;
}

/** NVIDIA GPUs via nvidia-smi; none is a warning (CPU training is 10-50x slower, seed 004). */
export async function checkGpu(): Promise<DoctorCheck> {
  try {
    const { stdout } = await run("nvidia-smi", ["--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"], { timeout: 10000 });
    const gpus = stdout.trim().split("\n").filter(Boolean).map((l) => l.split(",").map((s) => s.trim()));
    const [name = "GPU", totalMb = "0", freeMb = "0"] = gpus[0] ?? [];
    const vramGb = Number(totalMb) / 1024;
    const status: CheckStatus = vramGb < 2 ? "warn" : vramGb < 4 ? "warn" : "pass";
    return {
      id: "gpu",
      status,
      summary: `${gpus.length} GPU${gpus.length === 1 ? "" : "s"}: ${name}, ${vramGb.toFixed(1)} GB VRAM (${(Number(freeMb) / 1024).toFixed(1)} GB free)`,
      ...(vramGb < 2 ? { recommendation: "Less than 2 GB VRAM: use small batches or train on CPU" } : vramGb < 4 ? { recommendation: "Less than 4 GB VRAM: keep batch sizes small" } : {}),
      details: { count: gpus.length, name, vramBytes: Number(totalMb) * 1024 * 1024 },
    };
  } catch {
    return { id: "gpu", status: "warn", summary: "No NVIDIA GPU found (nvidia-smi unavailable): training runs on CPU, 10-50x slower", recommendation: "Frozen backbones with cached embeddings keep CPU training fast; see README" };
  }
}

/** RAM: below 8 GB training is refused (seed 004); below 16 GB it is slower. */
export function checkMemory(total: number = totalmem(), free: number = freemem()): DoctorCheck {
  const gb = total / GiB;
  const details = { totalBytes: total, freeBytes: free };
  if (gb < 8) return { id: "ram", status: "fail", summary: `Insufficient RAM (${gb.toFixed(1)} GB) - minimum 8GB required`, recommendation: "Use a machine with at least 8 GB RAM", details };
  if (gb < 16) return { id: "ram", status: "warn", summary: `${gb.toFixed(1)} GB RAM (${(free / GiB).toFixed(1)} GB free): training estimates x1.5`, details };
  return { id: "ram", status: "pass", summary: `${gb.toFixed(1)} GB RAM (${(free / GiB).toFixed(1)} GB free)`, details };
}

/** Free disk where outputs go: below 2 GB fails, below 5 GB warns (seed 004). */
export async function checkDisk(path: string): Promise<DoctorCheck> {
  try {
    const fs = await statfs(path);
    const free = fs.bavail * fs.bsize;
    const gb = free / GiB;
    const details = { path, freeBytes: free };
    if (gb < 2) return { id: "disk", status: "fail", summary: `Insufficient disk space (${gb.toFixed(1)} GB free at ${path}) - minimum 2GB required`, recommendation: "Free disk space or choose another output folder", details };
    if (gb < 5) return { id: "disk", status: "warn", summary: `Low disk space (${gb.toFixed(1)} GB free at ${path})`, recommendation: "Keep at least 5 GB free for frames, caches and models", details };
    return { id: "disk", status: "pass", summary: `${gb.toFixed(1)} GB free at ${path}`, details };
  } catch (error) {
    return { id: "disk", status: "warn", summary: `Cannot measure free disk at ${path}: ${errorMessage(error)}` };
  }
}
