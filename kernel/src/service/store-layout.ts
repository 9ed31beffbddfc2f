/**
 * Where the training service keeps its files. One root (default `.trainset/` in the workspace,
 * overridable by `--store DIR` or the `TRAINSET_STORE` environment variable) holds the
 * annotation store, the audit log, the model registry, the job queue and the run folders.
 */
import { resolve, join } from "node:path";

/** Options for {@link resolveStoreRoot}. */
export interface StoreRootOptions {
  /** Explicit store folder (`--store`); wins over the environment. */
  store?: string;
  /** Workspace folder the default `.trainset/` lives in (default `process.cwd()`). */
  cwd?: string;
  /** Environment to read `TRAINSET_STORE` from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Name of the environment variable that overrides the store root. */
export const STORE_ENV = "TRAINSET_STORE";

/** Folder name of the default store inside the workspace. */
export const DEFAULT_STORE_DIR = ".trainset";

/**
 * Resolves the store root to an absolute path: `store`, else `$TRAINSET_STORE`, else `<cwd>/.trainset`.
 * @example resolveStoreRoot({ store: "/data/trainset" }) // "/data/trainset"
 */
export function resolveStoreRoot(options: StoreRootOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const explicit = options.store ?? env[STORE_ENV];
  if (explicit !== undefined && explicit !== "") return resolve(cwd, explicit);
  return resolve(cwd, DEFAULT_STORE_DIR);
}

/** Every well-known path inside a store root. */
export interface StorePaths {
  root: string;
  /** `<root>/annotations`: one folder per user. */
  annotations: string;
  /** `<root>/audit.jsonl`. */
  auditLog: string;
  /** `<root>/models`: one folder per model name. */
  models: string;
  /** `<root>/jobs`: the file job queue. */
  jobs: string;
  /** `<root>/runs`: training run folders made by jobs. */
  runs: string;
  /** `<root>/annotations/<user>/annotations.jsonl` (the user id must be checked first). */
  annotationFile(user: string): string;
  /** `<root>/models/<model>`. */
  modelDir(model: string): string;
  /** `<root>/runs/<runId>`. */
  runDir(runId: string): string;
}

/**
 * The paths of the store layout under `root`. Pure; creates nothing.
 * @example storePaths(resolveStoreRoot()).annotationFile("default-user")
 */
export function storePaths(root: string): StorePaths {
  const abs = resolve(root);
  const annotations = join(abs, "annotations");
  const models = join(abs, "models");
  const runs = join(abs, "runs");
  return {
    root: abs,
    annotations,
    auditLog: join(abs, "audit.jsonl"),
    models,
    jobs: join(abs, "jobs"),
    runs,
    annotationFile: (user) => join(annotations, user, "annotations.jsonl"),
    modelDir: (model) => join(models, model),
    runDir: (runId) => join(runs, runId),
  };
}
