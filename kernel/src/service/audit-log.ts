/**
 * The audit log: one JSONL line per training run, deploy, revert, restore (and bundle actions),
 * with who, when, outcome, duration, metrics, system info and errors. Appends are locked across
 * processes and never tear a line; a torn tail from an older crash is skipped when reading.
 */
import { cpus, platform, release, totalmem } from "node:os";
import { IssueCollector } from "../util/issues.js";
import { openJsonlAppender, readJsonl, type TailRepair } from "../util/jsonl.js";
import { isTrainsetError } from "../util/errors.js";
import { storePaths } from "./store-layout.js";
import { withStoreLock } from "./store-lock.js";

/** What was done; the known actions plus any other kebab-case verb. */
export type AuditAction = "train" | "deploy" | "revert" | "restore" | "bundle-create" | "bundle-open" | (string & {});

/** How it ended. */
export type AuditOutcome = "success" | "failure" | "cancelled";

/** The machine an action ran on. */
export interface AuditSystemInfo {
  /** e.g. `linux 6.8.0`. */
  os: string;
  cpus: number;
  /** Total RAM in bytes. */
  memoryBytes: number;
  /** Node.js version. */
  node: string;
  /** GPU name and VRAM when known (from preflight). */
  gpu?: string;
}

/** One line of the audit log. */
export interface AuditEntry {
  action: AuditAction;
  /** Who did it (user id). */
  user: string;
  /** When it finished (ISO 8601). */
  at: string;
  outcome: AuditOutcome;
  /** When it started (ISO 8601), when known. */
  startedAt?: string;
  durationMs?: number;
  /** Model name and version for model actions. */
  model?: string;
  version?: string;
  /** Job that ran it, for training runs. */
  jobId?: string;
  metrics?: Record<string, number>;
  system?: AuditSystemInfo;
  /** The error message when outcome is `failure`. */
  error?: string;
  details?: Record<string, unknown>;
}

/** Filter for {@link readAuditHistory}; every field optional. */
export interface AuditFilter {
  action?: AuditAction;
  user?: string;
  outcome?: AuditOutcome;
  model?: string;
  jobId?: string;
  /** Only entries at or after this ISO time. */
  since?: string;
  /** Only entries at or before this ISO time. */
  until?: string;
  /** Keep the newest N (default: all). */
  limit?: number;
}

/** Aggregates over (filtered) audit entries. */
export interface AuditStatistics {
  total: number;
  byOutcome: Record<AuditOutcome, number>;
  byAction: Record<string, number>;
  /** Over entries that have a duration; 0 when none. */
  averageDurationMs: number;
  totalDurationMs: number;
  /** ISO times of the first and last entry, undefined when empty. */
  firstAt?: string;
  lastAt?: string;
  /** Lines that could not be read (torn or not JSON), skipped. */
  skippedLines: number;
}

/** The machine's facts for `AuditEntry.system`. */
export function systemInfo(gpu?: string): AuditSystemInfo {
  return {
    os: `${platform()} ${release()}`,
    cpus: cpus().length,
    memoryBytes: totalmem(),
    node: process.version,
    ...(gpu === undefined ? {} : { gpu }),
  };
}

/**
 * Appends one entry to `<root>/audit.jsonl` (`at` defaults to now). Returns a repair made on open.
 * @example await appendAuditEntry(root, { action: "deploy", user: "ana", outcome: "success", model: "frame-importance", version: "v3" });
 */
export async function appendAuditEntry(
  root: string,
  entry: Omit<AuditEntry, "at"> & { at?: string },
): Promise<TailRepair | undefined> {
  const file = storePaths(root).auditLog;
  const full: AuditEntry = { ...entry, at: entry.at ?? new Date().toISOString() };
  return withStoreLock(file, async () => {
    const out = await openJsonlAppender(file);
    try {
      await out.append(full);
    } finally {
      await out.close();
    }
    return out.repair;
  });
}

function isEntry(value: unknown): value is AuditEntry {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.action === "string" && typeof v.at === "string" && typeof v.outcome === "string";
}

function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.action !== undefined && entry.action !== filter.action) return false;
  if (filter.user !== undefined && entry.user !== filter.user) return false;
  if (filter.outcome !== undefined && entry.outcome !== filter.outcome) return false;
  if (filter.model !== undefined && entry.model !== filter.model) return false;
  if (filter.jobId !== undefined && entry.jobId !== filter.jobId) return false;
  const t = Date.parse(entry.at);
  if (filter.since !== undefined && t < Date.parse(filter.since)) return false;
  if (filter.until !== undefined && t > Date.parse(filter.until)) return false;
  return true;
}

async function readAll(root: string, filter: AuditFilter): Promise<{ entries: AuditEntry[]; skipped: number }> {
  const file = storePaths(root).auditLog;
  const issues = new IssueCollector(file, { mode: "collect" });
  const entries: AuditEntry[] = [];
  let skipped = 0;
  try {
    for await (const { value } of readJsonl(file, { issues })) {
      if (!isEntry(value)) skipped++;
      else if (matches(value, filter)) entries.push(value);
    }
  } catch (error) {
    if (isTrainsetError(error, "NOT_FOUND")) return { entries: [], skipped: 0 };
    throw error;
  }
  return { entries, skipped: skipped + issues.total };
}

/**
 * The audit entries matching `filter`, newest first.
 * @example await readAuditHistory(root, { action: "train", limit: 10 })
 */
export async function readAuditHistory(root: string, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const { entries } = await readAll(root, filter);
  entries.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return filter.limit === undefined ? entries : entries.slice(0, Math.max(0, filter.limit));
}

/**
 * Counts by outcome and action, average and total duration, date range.
 * @example (await auditStatistics(root, { action: "train" })).byOutcome.failure
 */
export async function auditStatistics(root: string, filter: Omit<AuditFilter, "limit"> = {}): Promise<AuditStatistics> {
  const { entries, skipped } = await readAll(root, filter);
  const byOutcome: Record<AuditOutcome, number> = { success: 0, failure: 0, cancelled: 0 };
  const byAction: Record<string, number> = {};
  let totalDurationMs = 0;
  let timed = 0;
  let first: number | undefined;
  let last: number | undefined;
  for (const e of entries) {
    byOutcome[e.outcome] = (byOutcome[e.outcome] ?? 0) + 1;
    byAction[e.action] = (byAction[e.action] ?? 0) + 1;
    if (typeof e.durationMs === "number" && Number.isFinite(e.durationMs)) {
      totalDurationMs += e.durationMs;
      timed++;
    }
    const t = Date.parse(e.at);
    if (first === undefined || t < first) first = t;
    if (last === undefined || t > last) last = t;
  }
  return {
    total: entries.length,
    byOutcome,
    byAction,
    averageDurationMs: timed === 0 ? 0 : totalDurationMs / timed,
    totalDurationMs,
    ...(first === undefined ? {} : { firstAt: new Date(first).toISOString() }),
    ...(last === undefined ? {} : { lastAt: new Date(last).toISOString() }),
    skippedLines: skipped,
  };
}
