/**
 * A model version in the registry: an immutable folder `versions/<version>/` holding the model's
 * files plus `version.json` (file list with sizes and SHA-256, metrics, training config, data
 * hashes, the job that made it). A version is staged in a temp folder and renamed into place, so
 * a crash never leaves a half-copied version under its real name.
 */
import { randomBytes } from "node:crypto";
import { cp, mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { ioError, TrainsetError } from "../util/errors.js";
import { sha256File } from "../util/hashing.js";

/** What the files are, which decides how a deploy validates them. */
export type ModelKind = "trainset-head" | "onnx" | "files";

/** One file of a version. */
export interface ModelFileEntry {
  /** Path relative to the version folder, `/`-separated. */
  path: string;
  bytes: number;
  sha256: string;
}

/** The metric a deploy gate compares, and which way is better. */
export interface GateMetric {
  name: string;
  greaterIsBetter: boolean;
}

/** `version.json`: everything known about one version. */
export interface ModelVersion {
  format: "trainset-model-version/1";
  model: string;
  /** `default` for the factory model, `v<N>` or a user-chosen name otherwise. */
  version: string;
  kind: ModelKind;
  createdAt: string;
  files: ModelFileEntry[];
  /** Flat metric name → value (e.g. `test.mae`, `val.map`). */
  metrics: Record<string, number>;
  /** The metric the deploy gate uses by default. */
  gateMetric?: GateMetric;
  trainingConfig?: Record<string, unknown>;
  /** Name → SHA-256 of the data it was trained on. */
  dataHashes?: Record<string, string>;
  jobId?: string;
  runId?: string;
  /** Where the files were copied from. */
  source?: string;
  notes?: string;
}

/** Name of the manifest inside a version folder. */
export const VERSION_MANIFEST = "version.json";

async function listFilesRec(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFilesRec(full, base)));
    else if (entry.isFile()) out.push(relative(base, full).split(sep).join("/"));
  }
  return out.sort();
}

/** Lists and hashes the files under `dir` (the manifest excluded). */
export async function describeFiles(dir: string): Promise<ModelFileEntry[]> {
  const files = (await listFilesRec(dir)).filter((p) => p !== VERSION_MANIFEST);
  const out: ModelFileEntry[] = [];
  for (const path of files) {
    const full = join(dir, ...path.split("/"));
    out.push({ path, bytes: (await stat(full)).size, sha256: await sha256File(full) });
  }
  return out;
}

/** Guesses the kind of a folder's files: a head run, an ONNX model, or opaque files. */
export function detectKind(files: readonly ModelFileEntry[]): ModelKind {
  const names = new Set(files.map((f) => f.path));
  if (names.has("head.json") && names.has("head.bin") && names.has("meta.json")) return "trainset-head";
  if (files.some((f) => f.path.endsWith(".onnx"))) return "onnx";
  return "files";
}

/**
 * Copies `from` (a file or a folder) into a fresh staging folder inside `versionsDir`, writes its
 * manifest, then renames the folder to `versions/<version>`. Fails when the version exists.
 */
export async function stageVersion(
  versionsDir: string,
  from: string,
  manifest: Omit<ModelVersion, "files" | "kind" | "format"> & { kind?: ModelKind },
): Promise<ModelVersion> {
  const target = join(versionsDir, manifest.version);
  const exists = await stat(target).then(() => true, () => false);
  if (exists) {
    throw new TrainsetError("CONFLICT", `Cannot add version "${manifest.version}" of model "${manifest.model}": it already exists`, { field: "version" });
  }
  let info;
  try {
    info = await stat(from);
  } catch (error) {
    throw ioError("read model files", from, error);
  }
  const staging = join(versionsDir, `.staging-${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(staging, { recursive: true });
  try {
    if (info.isDirectory()) {
      await cp(from, staging, { recursive: true, filter: (src) => !basename(src).startsWith(".") || src === from });
    } else {
      await cp(from, join(staging, basename(from)));
    }
    const files = await describeFiles(staging);
    if (files.length === 0) {
      throw new TrainsetError("VALIDATION_ERROR", `Cannot add a version of model "${manifest.model}": "${from}" holds no files`, { file: from });
    }
    const full: ModelVersion = { format: "trainset-model-version/1", ...manifest, kind: manifest.kind ?? detectKind(files), files };
    await writeJsonAtomic(join(staging, VERSION_MANIFEST), full);
    await rename(staging, target);
    return full;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Reads `versions/<version>/version.json`. */
export async function readVersionManifest(versionDir: string): Promise<ModelVersion> {
  const file = join(versionDir, VERSION_MANIFEST);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw ioError("read model version", file, error);
  }
  try {
    return JSON.parse(text) as ModelVersion;
  } catch (error) {
    throw new TrainsetError("PARSE_ERROR", `Cannot read model version "${file}": it is not valid JSON`, { file, cause: error });
  }
}

/** Flattens a run's metrics (`val_metrics`, `test_metrics`…) into `prefix.name` numbers. */
export function flattenMetrics(value: unknown, prefix = "", out: Record<string, number> = {}, depth = 0): Record<string, number> {
  if (depth > 3 || typeof value !== "object" || value === null || Array.isArray(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (typeof v === "number" && Number.isFinite(v)) out[name] = v;
    else flattenMetrics(v, name, out, depth + 1);
  }
  return out;
}

/** Whether a larger value of the metric `name` is better (losses and errors are not). */
export function greaterIsBetterFor(name: string): boolean {
  return !/(loss|mae|rmse|mse|error|err)$/i.test(name.replace(/.*\./, ""));
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function pickMetrics(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (meta === undefined) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    const m = /^(val|test)_metrics(?:_(final|tuned))?$/.exec(key);
    if (m !== null) out[m[2] === undefined ? (m[1] as string) : `${m[1] as string}_${m[2]}`] = value;
  }
  const history = asObject(meta.history);
  const lastOf = (key: string): number | undefined => {
    const list = Array.isArray(history?.[key]) ? (history[key] as unknown[]) : [];
    return list.filter((x): x is number => typeof x === "number" && Number.isFinite(x)).at(-1);
  };
  const final: Record<string, number> = {};
  for (const key of ["val_loss", "train_loss"]) {
    const v = lastOf(key);
    if (v !== undefined) final[key] = v;
  }
  if (Object.keys(final).length > 0) out.final = final;
  if (typeof meta.test_baseline_mae === "number") out.test_baseline = { mae: meta.test_baseline_mae };
  return out;
}

/**
 * The metrics of a run's `meta.json` as flat numbers: `val.*`, `test.*`, `test_tuned.*`, `final.val_loss`.
 * @example runMetrics(meta)["test.mae"]
 */
export function runMetrics(meta: Record<string, unknown> | undefined): Record<string, number> {
  return flattenMetrics(pickMetrics(meta));
}
