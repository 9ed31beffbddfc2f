/**
 * The model registry: per model name a factory `default` version, an `active` pointer and the full
 * version history under `<root>/models/<model>/`:
 *
 *   versions/<version>/...   immutable model files + version.json (staged, then renamed in)
 *   active.json              { version, previous, deployedAt, user } replaced by an atomic rename
 *
 * Deploys, restores and reverts validate the version (files complete, loadable, a smoke
 * inference), pass the metric gate, then swap the pointer with one rename under a cross-process
 * lock, so a crash leaves the old or the new version active, never a mix. Each action is audited.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { IssueCollector } from "../util/issues.js";
import { openJsonlAppender, readJsonl } from "../util/jsonl.js";
import { errorMessage, ioError, systemErrorCode, TrainsetError } from "../util/errors.js";
import { appendAuditEntry, systemInfo, type AuditAction } from "../service/audit-log.js";
import { assertSafeName } from "../service/safe-name.js";
import { storePaths } from "../service/store-layout.js";
import { withStoreLock } from "../service/store-lock.js";
import { checkDeployGate } from "./deploy-gate.js";
import type { ActivePointer, AddVersionOptions, DeployOptions, DeployResult, ModelListing, ModelRegistryOptions } from "./registry-types.js";
import { validateVersion } from "./model-validate.js";
import { asRecord, cleanTempFiles, guessGateMetric, nextNumber, readRunMeta } from "./registry-files.js";
import {
  runMetrics,
  readVersionManifest,
  stageVersion,
  type ModelVersion,
} from "./model-version.js";

export type { ActivePointer, AddVersionOptions, DeployOptions, DeployResult, ModelListing, ModelRegistryOptions } from "./registry-types.js";

const DEFAULT_USER = "default-user";

/** The per-model registry under a store root. */
export class ModelRegistry {
  private constructor(
    /** The store root. */
    readonly root: string,
    private readonly options: ModelRegistryOptions,
  ) {}

  /**
   * Opens the registry of a store (nothing is created until a version is added).
   * @example const reg = await ModelRegistry.open(resolveStoreRoot()); await reg.deploy("frame-importance", "v3");
   */
  static async open(root: string, options: ModelRegistryOptions = {}): Promise<ModelRegistry> {
    return Promise.resolve(new ModelRegistry(storePaths(root).root, options));
  }

  /** `<root>/models/<model>` (after checking the name). */
  modelDir(model: string): string {
    return storePaths(this.root).modelDir(assertSafeName("model name", model, "use the model registry"));
  }

  /** `<root>/models/<model>/versions/<version>`. */
  versionDir(model: string, version: string): string {
    return join(this.modelDir(model), "versions", assertSafeName("version", version, `use model "${model}"`));
  }

  private lock<T>(model: string, fn: () => Promise<T>): Promise<T> {
    return withStoreLock(join(this.modelDir(model), "registry"), fn, {
      ...(this.options.lockStaleMs === undefined ? {} : { staleMs: this.options.lockStaleMs }),
    });
  }

  /** Model names with a folder in the store. */
  async listModels(): Promise<string[]> {
    try {
      const entries = await readdir(storePaths(this.root).models, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
    } catch (error) {
      if (systemErrorCode(error) === "ENOENT") return [];
      throw ioError("list models in", storePaths(this.root).models, error);
    }
  }

  /**
   * Copies files in as a new immutable version (staged, then renamed into place).
   * @example await reg.addVersion("frame-importance", { from: "runs/r7", jobId: "j-42" })
   */
  async addVersion(model: string, options: AddVersionOptions): Promise<ModelVersion> {
    const dir = this.modelDir(model);
    return this.lock(model, async () => {
      const versions = await this.versionNames(model);
      const version = options.version ?? `v${nextNumber(versions)}`;
      assertSafeName("version", version, `add a version of model "${model}"`);
      const runMeta = await readRunMeta(options.from);
      const metrics = options.metrics ?? runMetrics(runMeta);
      const gateMetric = options.gateMetric ?? guessGateMetric(metrics);
      const trainingConfig = options.trainingConfig ?? asRecord(runMeta?.config);
      return stageVersion(join(dir, "versions"), options.from, {
        model,
        version,
        createdAt: new Date().toISOString(),
        metrics,
        ...(gateMetric === undefined ? {} : { gateMetric }),
        ...(trainingConfig === undefined ? {} : { trainingConfig }),
        ...(options.dataHashes === undefined ? {} : { dataHashes: options.dataHashes }),
        ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
        ...(options.runId ?? (typeof runMeta?.run_id === "string" ? runMeta.run_id : undefined)) === undefined
          ? {}
          : { runId: options.runId ?? String(runMeta?.run_id) },
        source: options.from,
        ...(options.kind === undefined ? {} : { kind: options.kind }),
        ...(options.notes === undefined ? {} : { notes: options.notes }),
      });
    });
  }

  /** The manifest of one version. */
  async getVersion(model: string, version: string): Promise<ModelVersion> {
    return readVersionManifest(this.versionDir(model, version));
  }

  /** The active pointer, or undefined when none was ever deployed. */
  async getActive(model: string): Promise<ActivePointer | undefined> {
    const file = join(this.modelDir(model), "active.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if (systemErrorCode(error) === "ENOENT") return undefined;
      throw ioError("read the active model pointer", file, error);
    }
    try {
      return JSON.parse(text) as ActivePointer;
    } catch (error) {
      throw new TrainsetError("PARSE_ERROR", `Cannot read the active model pointer "${file}": it is not valid JSON`, { file, cause: error });
    }
  }

  /**
   * The folder of the live model: the active version, else the factory default, else undefined.
   * @example const dir = await reg.activeModelPath("frame-importance");
   */
  async activeModelPath(model: string): Promise<string | undefined> {
    const active = await this.getActive(model);
    const names = await this.versionNames(model);
    // Aura's GetActiveModelPath: the active model, falling back to the default when it is missing.
    if (active !== undefined && names.includes(active.version)) return this.versionDir(model, active.version);
    return names.includes("default") ? this.versionDir(model, "default") : undefined;
  }

  /** Every swap of the active pointer (deploy, restore, revert), oldest first; a torn last line is skipped. */
  async deployHistory(model: string): Promise<ActivePointer[]> {
    const out: ActivePointer[] = [];
    const issues = new IssueCollector(undefined, { mode: "collect" });
    try {
      for await (const { value } of readJsonl(join(this.modelDir(model), "deployments.jsonl"), { issues })) out.push(value as ActivePointer);
    } catch (error) {
      if (systemErrorCode((error as { cause?: unknown }).cause) !== "ENOENT") throw error;
    }
    return out;
  }

  /** Default, active pointer and every version (oldest first). */
  async list(model: string): Promise<ModelListing> {
    const names = await this.versionNames(model);
    const versions: ModelVersion[] = [];
    for (const name of names) versions.push(await this.getVersion(model, name));
    versions.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const active = await this.getActive(model);
    return { model, ...(active === undefined ? {} : { active }), hasDefault: names.includes("default"), versions };
  }

  /**
   * Validates `version`, applies the metric gate against the active model and swaps it in.
   * @example await reg.deploy("frame-importance", "v3", { gate: { metric: "test.mae", threshold: 0.01 } })
   */
  async deploy(model: string, version: string, options: DeployOptions = {}): Promise<DeployResult> {
    return this.swap("deploy", model, version, options);
  }

  /** Makes an earlier version (e.g. the previous active one) live again; the gate does not apply. */
  async restore(model: string, version: string, options: DeployOptions = {}): Promise<DeployResult> {
    return this.swap("restore", model, version, { ...options, force: true });
  }

  /** Restores the version that was active before the current one. */
  async rollback(model: string, options: DeployOptions = {}): Promise<DeployResult> {
    const active = await this.getActive(model);
    if (active?.previous === undefined) {
      throw new TrainsetError("NOT_FOUND", `Cannot roll back model "${model}": no previous active version is recorded`);
    }
    return this.restore(model, active.previous, options);
  }

  /** Makes the factory `default` version live. */
  async revertToDefault(model: string, options: DeployOptions = {}): Promise<DeployResult> {
    const names = await this.versionNames(model);
    if (!names.includes("default")) {
      throw new TrainsetError("NOT_FOUND", `Cannot revert model "${model}" to its default: it has no default version (add one with --version default)`);
    }
    return this.swap("revert", model, "default", { ...options, force: true });
  }

  private async swap(action: "deploy" | "restore" | "revert", model: string, version: string, options: DeployOptions): Promise<DeployResult> {
    const started = Date.now();
    const user = options.user ?? DEFAULT_USER;
    const dir = this.modelDir(model);
    try {
      const result = await this.lock(model, async () => {
        await cleanTempFiles(dir);
        const { version: candidate, checks } = await validateVersion(this.versionDir(model, version), {
          ...(options.skipHashes === undefined ? {} : { skipHashes: options.skipHashes }),
          ...(options.sample === undefined ? {} : { sample: options.sample }),
        });
        const active = await this.getActive(model);
        const activeVersion = active === undefined ? undefined : await this.getVersion(model, active.version).catch(() => undefined);
        const gate = action === "deploy" ? checkDeployGate(candidate, activeVersion, options.gate) : { passed: true, reason: `${action}: gate not applied` };
        if (!gate.passed && options.force !== true) {
          throw new TrainsetError("VALIDATION_ERROR", `Cannot deploy model "${model}" version "${version}": ${gate.reason}`, { field: gate.metric ?? "metric" });
        }
        const pointer: ActivePointer = {
          version,
          ...(active === undefined || active.version === version ? (active?.previous === undefined ? {} : { previous: active.previous }) : { previous: active.version }),
          deployedAt: new Date().toISOString(),
          user,
          action,
        };
        await writeJsonAtomic(join(dir, "active.json"), pointer);
        // The per-model swap log, appended under the same lock: each line's `previous` is the line before's `version`.
        const log = await openJsonlAppender(join(dir, "deployments.jsonl"));
        try {
          await log.append(pointer);
        } finally {
          await log.close();
        }
        return {
          model,
          version,
          ...(pointer.previous === undefined ? {} : { previous: pointer.previous }),
          gate,
          checks,
          forced: !gate.passed,
          durationMs: Date.now() - started,
        };
      });
      await this.audit(action, options, { model, version, user, started, metrics: (await this.getVersion(model, version)).metrics, details: { previous: result.previous, forced: result.forced, gate: result.gate.reason, checks: result.checks } });
      return result;
    } catch (error) {
      await this.audit(action, options, { model, version, user, started, error: errorMessage(error) }).catch(() => undefined);
      throw error;
    }
  }

  private async audit(
    action: AuditAction,
    options: DeployOptions,
    e: { model: string; version: string; user: string; started: number; metrics?: Record<string, number>; error?: string; details?: Record<string, unknown> },
  ): Promise<void> {
    if (options.noAudit === true) return;
    await appendAuditEntry(this.root, {
      action,
      user: e.user,
      outcome: e.error === undefined ? "success" : "failure",
      startedAt: new Date(e.started).toISOString(),
      durationMs: Date.now() - e.started,
      model: e.model,
      version: e.version,
      ...(e.metrics === undefined ? {} : { metrics: e.metrics }),
      system: systemInfo(),
      ...(e.error === undefined ? {} : { error: e.error }),
      ...(e.details === undefined ? {} : { details: e.details }),
    });
  }

  private async versionNames(model: string): Promise<string[]> {
    try {
      const entries = await readdir(join(this.modelDir(model), "versions"), { withFileTypes: true });
      return entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name);
    } catch (error) {
      if (systemErrorCode(error) === "ENOENT") return [];
      throw ioError("list versions of", this.modelDir(model), error);
    }
  }
}
