/**
 * What the training job kinds share: their job-level settings (model name, deploy, gate), the
 * deploying phase (80–100: register the run as a new model version, gate, deploy) and the
 * `train` audit entry written once per finished job.
 */
import { checkDeployGate, type DeployGateOptions } from "../../models/deploy-gate.js";
import { ModelRegistry } from "../../models/model-registry.js";
import { appendAuditEntry, systemInfo } from "../../service/audit-log.js";
import { errorMessage, isTrainsetError, TrainsetError } from "../../util/errors.js";
import type { JobContext, JobRecord, JsonObject, JsonValue } from "../job-queue.js";

/** Job-level settings of the training kinds (besides `train`, the trainer's own config). */
export interface TrainJobSettings {
  /** Registry model name (default per kind: `multilabel`, `frame-importance`). */
  model: string;
  /** Deploy the new version after registering it (default true). */
  deploy: boolean;
  /** Deploy even when the gate refuses (default false). */
  force: boolean;
  gate?: DeployGateOptions;
  /** Stored on the registry version. */
  notes?: string;
  /** Run the seed's preflight (RAM, disk, ≥ 20 annotations) before training (default true). */
  preflight: boolean;
}

/** Reads `model`, `deploy`, `force`, `gate` from a job config. */
export function readTrainJobSettings(config: JsonObject, defaultModel: string): TrainJobSettings {
  const bad = (field: string, what: string): never => {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot run training job: config.${field} ${what}`, { field: `config.${field}` });
  };
  const model = config["model"] ?? config["modelName"] ?? defaultModel;
  if (typeof model !== "string" || model === "") bad("model", "must be a model name");
  const flag = (name: "deploy" | "force" | "preflight", fallback: boolean): boolean => {
    const v = config[name];
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") bad(name, "must be true or false");
    return v as boolean;
  };
  const gateValue = config["gate"];
  let gate: DeployGateOptions | undefined;
  if (gateValue !== undefined) {
    if (typeof gateValue !== "object" || gateValue === null || Array.isArray(gateValue)) bad("gate", "must be an object {metric?, threshold?, greaterIsBetter?}");
    const g = gateValue as { [key: string]: JsonValue };
    gate = {};
    if (g["metric"] !== undefined) gate.metric = typeof g["metric"] === "string" ? g["metric"] : bad("gate.metric", "must be a string");
    if (g["threshold"] !== undefined) gate.threshold = typeof g["threshold"] === "number" && g["threshold"] >= 0 ? g["threshold"] : bad("gate.threshold", "must be a number >= 0");
    if (g["greaterIsBetter"] !== undefined) gate.greaterIsBetter = typeof g["greaterIsBetter"] === "boolean" ? g["greaterIsBetter"] : bad("gate.greaterIsBetter", "must be true or false");
  }
  const notes = config["notes"];
  if (notes !== undefined && typeof notes !== "string") bad("notes", "must be a string");
  return {
    model: model as string,
    deploy: flag("deploy", true),
    force: flag("force", false),
    preflight: flag("preflight", true),
    ...(gate === undefined ? {} : { gate }),
    ...(typeof notes === "string" ? { notes } : {}),
  };
}

/**
 * The deploying phase: registers `runDir` as a version of the model (once per job, even when a
 * retried job gets here twice), checks the gate and deploys unless refused.
 */
export async function registerAndDeploy(job: JobRecord, ctx: JobContext, runDir: string, settings: TrainJobSettings): Promise<JsonObject> {
  ctx.progress("deploying", 0, `Registering the run as a new version of "${settings.model}"`);
  const registry = await ModelRegistry.open(ctx.storeRoot);
  const listing = await registry.list(settings.model);
  const version = listing.versions.find((v) => v.jobId === job.id) ?? (await registry.addVersion(settings.model, { from: runDir, jobId: job.id, ...(settings.notes === undefined ? {} : { notes: settings.notes }) }));
  ctx.log(`Registered ${settings.model} ${version.version}`);
  ctx.progress("deploying", 0.5, `Registered ${version.version}`);
  const versionDir = registry.versionDir(settings.model, version.version);
  const out: JsonObject = { runDir, model: settings.model, version: version.version, versionDir, modelPath: versionDir, metrics: version.metrics, deployed: false };
  if (!settings.deploy) {
    ctx.progress("deploying", 1, `Registered ${version.version}; not deployed (deploy: false)`);
    return out;
  }
  const activeVersion = listing.active === undefined ? undefined : listing.versions.find((v) => v.version === listing.active?.version);
  const gate = checkDeployGate(version, activeVersion, settings.gate);
  if (!gate.passed && !settings.force) {
    const message = `Not deployed: ${gate.reason} (deploy it anyway with \`trainset models deploy ${settings.model} ${version.version} --force\`)`;
    ctx.log(message, "warn");
    ctx.progress("deploying", 1, message);
    return { ...out, gate: gate.reason };
  }
  const result = await registry.deploy(settings.model, version.version, { force: settings.force, user: job.user, ...(settings.gate === undefined ? {} : { gate: settings.gate }) });
  ctx.log(`Deployed ${settings.model} ${version.version}${result.previous === undefined ? "" : ` (previous: ${result.previous})`}`);
  ctx.progress("deploying", 1, `Deployed ${version.version}`);
  return { ...out, deployed: true, gate: result.gate.reason, ...(result.previous === undefined ? {} : { previous: result.previous }) };
}

/** Runs a training job body and writes its `train` audit entry whatever the outcome. */
export async function withTrainAudit(job: JobRecord, ctx: JobContext, details: JsonObject, body: () => Promise<JsonObject>): Promise<JsonObject> {
  const started = Date.now();
  const base = { action: "train", user: job.user, jobId: job.id, startedAt: new Date(started).toISOString(), system: systemInfo() } as const;
  try {
    const result = await body();
    const metrics = result["metrics"];
    await appendAuditEntry(ctx.storeRoot, {
      ...base,
      outcome: "success",
      durationMs: Date.now() - started,
      ...(typeof result["model"] === "string" ? { model: result["model"] } : {}),
      ...(typeof result["version"] === "string" ? { version: result["version"] } : {}),
      ...(isNumberRecord(metrics) ? { metrics } : {}),
      details: { ...details, ...result },
    });
    return result;
  } catch (error) {
    const cancelled = ctx.signal.aborted || isTrainsetError(error, "ABORTED");
    await appendAuditEntry(ctx.storeRoot, { ...base, outcome: cancelled ? "cancelled" : "failure", durationMs: Date.now() - started, error: errorMessage(error), details }).catch(() => undefined);
    throw error;
  }
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "number");
}
