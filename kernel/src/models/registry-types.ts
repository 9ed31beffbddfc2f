/** Types of the model registry's API: the active pointer, options and results. */
import type { DeployGateOptions, DeployGateResult } from "./deploy-gate.js";
import type { GateMetric, ModelKind, ModelVersion } from "./model-version.js";

/** `active.json`: which version is live. */
export interface ActivePointer {
  version: string;
  /** The version that was active before, restorable with `restore`. */
  previous?: string;
  deployedAt: string;
  user: string;
  /** The action that set it. */
  action: "deploy" | "restore" | "revert";
}

/** Options for {@link ModelRegistry.addVersion}. */
export interface AddVersionOptions {
  /** A file or folder to copy in (a run folder, a `.onnx` file…). */
  from: string;
  /** Version name (default the next `v<N>`); `default` makes it the factory model. */
  version?: string;
  /** Default: detected from the files (head run folder, ONNX, opaque files). */
  kind?: ModelKind;
  /** Default: read from the run folder's `meta.json` (`val_metrics`, `test_metrics`…). */
  metrics?: Record<string, number>;
  /** Default: `test.mae` (lower better) for importance runs, `val_metrics.map`… as found. */
  gateMetric?: GateMetric;
  trainingConfig?: Record<string, unknown>;
  dataHashes?: Record<string, string>;
  jobId?: string;
  runId?: string;
  notes?: string;
}

/** Options for deploy, restore and revert. */
export interface DeployOptions {
  /** Deploy even when the gate refuses (default false). */
  force?: boolean;
  gate?: DeployGateOptions;
  /** Who did it, for the audit log (default `default-user`). */
  user?: string;
  /** Skip re-hashing files during validation (default false). */
  skipHashes?: boolean;
  /** Write no audit entry (default false). */
  noAudit?: boolean;
  /** An image for the smoke inference through the whole model (default: a synthetic input). */
  sample?: string;
}

/** What a deploy did. */
export interface DeployResult {
  model: string;
  version: string;
  previous?: string;
  gate: DeployGateResult;
  /** What validation checked. */
  checks: string[];
  forced: boolean;
  durationMs: number;
}

/** Everything about one model name. */
export interface ModelListing {
  model: string;
  active?: ActivePointer;
  /** True when a `default` version exists. */
  hasDefault: boolean;
  /** Oldest first. */
  versions: ModelVersion[];
}

/** Options for {@link ModelRegistry.open}. */
export interface ModelRegistryOptions {
  /** Lock staleness for a crashed process (default 5000 ms). */
  lockStaleMs?: number;
}
