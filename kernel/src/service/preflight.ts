/**
 * Preflight before training (seed 004's PreflightCheckService): GPU/VRAM, RAM >= 8 GB, disk >= 2 GB
 * free at the store, annotation count >= 20 and a time estimate, as errors (training blocked),
 * warnings and recommendations. `evaluatePreflight` is pure so every threshold is testable.
 */
import { execFile } from "node:child_process";
import { mkdir, statfs } from "node:fs/promises";
import { cpus, freemem, totalmem } from "node:os";
import { promisify } from "node:util";
import { TrainsetError } from "../util/errors.js";
import { annotationStats } from "./annotation-store.js";

const GiB = 1024 ** 3;

/** The machine facts preflight judges. */
export interface SystemFacts {
  /** First NVIDIA GPU, when nvidia-smi found one. */
  gpu?: { name: string; vramBytes: number; count: number };
  ramBytes: number;
  freeRamBytes: number;
  cpus: number;
  /** Free bytes at `diskPath`; undefined when it could not be measured. */
  diskFreeBytes?: number;
  diskPath: string;
}

/** Seed 004's preflight result. */
export interface PreflightResult {
  /** True when no minimum is broken (training may start). */
  meetsMinimumRequirements: boolean;
  annotationCount: number;
  estimatedMinutes: number;
  system: SystemFacts;
  errors: string[];
  warnings: string[];
  recommendations: string[];
}

/** Seed 004's ProblemDetails body when training is blocked. */
export interface PreflightProblem {
  title: "System Requirements Not Met";
  status: 400;
  detail: string;
  warnings: string[];
  errors: string[];
  recommendations: string[];
}

/** Minimum thresholds (seed 004 values by default). */
export interface PreflightThresholds {
  /** Default 20. */
  minAnnotations?: number;
  /** Default 100. */
  recommendedAnnotations?: number;
  /** Default 8 GB. */
  minRamBytes?: number;
  /** Default 2 GB. */
  minDiskBytes?: number;
}

const gb = (bytes: number): string => (bytes / GiB).toFixed(1);

/**
 * Training time in minutes (seed 004): n/100 x (GPU: 0.5 with >= 4 GB VRAM, else 1.5; CPU: 10),
 * x1.5 below 16 GB RAM, clamped to 1..120.
 */
export function estimateTrainingMinutes(annotationCount: number, facts: Pick<SystemFacts, "gpu" | "ramBytes">): number {
  const perHundred = facts.gpu === undefined ? 10 : facts.gpu.vramBytes >= 4 * GiB ? 0.5 : 1.5;
  let minutes = (annotationCount / 100) * perHundred;
  if (facts.ramBytes < 16 * GiB) minutes *= 1.5;
  return Math.min(120, Math.max(1, Math.round(minutes * 10) / 10));
}

/**
 * Judges machine facts and the annotation count. Pure.
 * @example evaluatePreflight(facts, 12).errors // ["Insufficient training data - minimum 20 annotations required, 100+ recommended"]
 */
export function evaluatePreflight(facts: SystemFacts, annotationCount: number, thresholds: PreflightThresholds = {}): PreflightResult {
  const minAnnotations = thresholds.minAnnotations ?? 20;
  const recommended = thresholds.recommendedAnnotations ?? 100;
  const minRam = thresholds.minRamBytes ?? 8 * GiB;
  const minDisk = thresholds.minDiskBytes ?? 2 * GiB;
  const errors: string[] = [];
  const warnings: string[] = [];
  const recommendations: string[] = [];
  if (facts.gpu === undefined) {
    warnings.push("No GPU detected - training will run on CPU (10-50x slower)");
    recommendations.push("Use a machine with an NVIDIA GPU for faster training, or keep the backbone frozen with cached embeddings");
  } else if (facts.gpu.vramBytes < 2 * GiB) {
    warnings.push(`Low VRAM (${gb(facts.gpu.vramBytes)} GB) - minimum 2GB recommended`);
    recommendations.push("Use small batch sizes or train on CPU");
  } else if (facts.gpu.vramBytes < 4 * GiB) {
    warnings.push(`Limited VRAM (${gb(facts.gpu.vramBytes)} GB) - 4GB+ recommended for faster training`);
    recommendations.push("Keep batch sizes small");
  }
  if (facts.ramBytes < minRam) {
    errors.push(`Insufficient RAM (${gb(facts.ramBytes)} GB) - minimum ${gb(minRam).replace(/\.0$/, "")}GB required`);
    recommendations.push("Use a machine with at least 8 GB RAM and close other applications before training");
  } else if (facts.ramBytes < 16 * GiB) {
    recommendations.push(`${gb(facts.ramBytes)} GB RAM: close other applications; training estimates are x1.5 below 16 GB`);
  }
  if (facts.diskFreeBytes === undefined) {
    warnings.push(`Could not measure free disk space at ${facts.diskPath}`);
  } else if (facts.diskFreeBytes < minDisk) {
    errors.push(`Insufficient disk space (${gb(facts.diskFreeBytes)} GB free) - minimum ${gb(minDisk).replace(/\.0$/, "")}GB required`);
    recommendations.push(`Free disk space at ${facts.diskPath} or choose another store with --store`);
  } else if (facts.diskFreeBytes < 5 * GiB) {
    warnings.push(`Low disk space (${gb(facts.diskFreeBytes)} GB free) - 5GB+ recommended`);
  }
  if (annotationCount < minAnnotations) {
    errors.push(`Insufficient training data - minimum ${minAnnotations} annotations required, ${recommended}+ recommended`);
    recommendations.push(`Upload at least ${minAnnotations - annotationCount} more annotations (${annotationCount} stored)`);
  } else if (annotationCount < recommended) {
    warnings.push(`Only ${annotationCount} annotations - ${recommended}+ recommended for reliable results`);
    recommendations.push("Collect more annotations covering low, medium and high importance frames");
  }
  const estimatedMinutes = estimateTrainingMinutes(annotationCount, facts);
  if (estimatedMinutes >= 60) warnings.push(`Estimated training time is long (${estimatedMinutes} minutes)`);
  return { meetsMinimumRequirements: errors.length === 0, annotationCount, estimatedMinutes, system: facts, errors, warnings, recommendations };
}

const run = promisify(execFile);

/** Reads the machine: nvidia-smi (when present), RAM, CPUs and free disk at `diskPath`. */
export async function probeSystem(diskPath: string): Promise<SystemFacts> {
  let gpu: SystemFacts["gpu"];
  try {
    const { stdout } = await run("nvidia-smi", ["--query-gpu=name,memory.total", "--format=csv,noheader,nounits"], { timeout: 10000 });
    const rows = stdout.trim().split("\n").filter(Boolean).map((l) => l.split(",").map((s) => s.trim()));
    const [name = "GPU", totalMb = "0"] = rows[0] ?? [];
    if (rows.length > 0) gpu = { name, vramBytes: Number(totalMb) * 1024 * 1024, count: rows.length };
  } catch {
    gpu = undefined; // no nvidia-smi: CPU training
  }
  let diskFreeBytes: number | undefined;
  try {
    await mkdir(diskPath, { recursive: true });
    const fs = await statfs(diskPath);
    diskFreeBytes = fs.bavail * fs.bsize;
  } catch {
    diskFreeBytes = undefined;
  }
  return {
    ...(gpu === undefined ? {} : { gpu }),
    ramBytes: totalmem(),
    freeRamBytes: freemem(),
    cpus: cpus().length,
    ...(diskFreeBytes === undefined ? {} : { diskFreeBytes }),
    diskPath,
  };
}

/** Options for {@link runPreflight}. */
export interface RunPreflightOptions extends PreflightThresholds {
  /** Whose annotations are counted (default `default-user`). */
  user?: string;
  /** Count to judge instead of the user's stored annotations. */
  annotationCount?: number;
  /** Facts to judge instead of probing this machine (tests, remote workers). */
  facts?: SystemFacts;
}

/**
 * Probes the machine and the user's annotations under the store root.
 * @example const r = await runPreflight(root, { user: "ana" }); if (!r.meetsMinimumRequirements) ...
 */
export async function runPreflight(root: string, options: RunPreflightOptions = {}): Promise<PreflightResult> {
  const count = options.annotationCount ?? (await annotationStats(root, options.user ?? "default-user")).totalAnnotations;
  const facts = options.facts ?? (await probeSystem(root));
  return evaluatePreflight(facts, count, options);
}

/** The seed's error body for a blocked training start. */
export function preflightProblem(result: PreflightResult): PreflightProblem {
  return {
    title: "System Requirements Not Met",
    status: 400,
    detail: `Training cannot proceed due to insufficient system resources. ${result.errors.join("; ")}`,
    warnings: result.warnings,
    errors: result.errors,
    recommendations: result.recommendations,
  };
}

/** Thrown when preflight blocks training; `problem` is the seed's error body. */
export class PreflightBlockedError extends TrainsetError {
  constructor(readonly problem: PreflightProblem) {
    super("VALIDATION_ERROR", `Cannot start training: ${problem.detail}`);
    this.name = "PreflightBlockedError";
  }
}

/**
 * Throws {@link PreflightBlockedError} when a minimum is not met.
 * @example assertPreflight(await runPreflight(root));
 */
export function assertPreflight(result: PreflightResult): void {
  if (!result.meetsMinimumRequirements) throw new PreflightBlockedError(preflightProblem(result));
}
