/** `trainset doctor`: what this machine can do, with pass/warn/fail lines and recommendations. */
import { checkDisk, checkFfmpeg, checkGpu, checkMemory, checkNode, checkOnnxRuntime, checkTfjsBackends, type DoctorCheck } from "./checks.js";

/** The doctor's whole report. */
export interface DoctorReport {
  checks: DoctorCheck[];
  /** False when any check failed. */
  ok: boolean;
  /** The tfjs backend `auto` would pick here. */
  trainingBackend: "tfjs-node-gpu" | "tfjs-node" | "wasm" | "cpu" | "none";
  recommendations: string[];
}

/** Options for {@link runDoctor}. */
export interface DoctorOptions {
  /** Folder whose free disk space matters (default: the current folder). */
  path?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Probes Node, ffmpeg, onnxruntime, tfjs backends, GPU/VRAM, RAM and disk.
 * @example const report = await runDoctor(); report.checks.filter((c) => c.status === "fail")
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const [ffmpeg, ort, tfjs, gpu, disk] = await Promise.all([
    checkFfmpeg(options.env),
    checkOnnxRuntime(),
    checkTfjsBackends(),
    checkGpu(),
    checkDisk(options.path ?? process.cwd()),
  ]);
  const checks = [checkNode(), ffmpeg, ort, ...tfjs, gpu, checkMemory(), disk];
  const has = (id: string): boolean => checks.some((c) => c.id === id && c.status === "pass");
  const trainingBackend = has("tfjs-node-gpu") && gpu.status !== "warn" ? "tfjs-node-gpu" : has("tfjs-node") ? "tfjs-node" : has("tfjs-wasm") ? "wasm" : checks.some((c) => c.id === "tfjs-cpu") ? "cpu" : "none";
  return {
    checks,
    ok: checks.every((c) => c.status !== "fail"),
    trainingBackend,
    recommendations: checks.flatMap((c) => (c.recommendation !== undefined && c.status !== "pass" && c.status !== "info" ? [c.recommendation] : [])),
  };
}
