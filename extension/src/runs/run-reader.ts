/**
 * Reads training run folders (`runs/<id>/meta.json` + `history.jsonl`, see
 * kernel/src/train/run-folder.ts) and job records into {@link RunView}s. The parse functions are
 * pure; `readRunFolder` does the I/O.
 */
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { HistoryRow, LabelMetricsRow, RunView } from "../../../webviews/src/protocol/runs.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses `history.jsonl`; a torn last line (a run still writing) and non-object lines are skipped.
 * @example parseHistory('{"epoch":1,"val_loss":0.5}\n').length // 1
 */
export function parseHistory(text: string): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(value) || typeof value.epoch !== "number") continue;
    const row: Record<string, number> = {};
    for (const [key, field] of Object.entries(value)) if (typeof field === "number" && Number.isFinite(field)) row[key] = field;
    rows.push(row as HistoryRow);
  }
  return rows;
}

/** Flattens scalar config fields one level deep (`backbone.kind`). */
export function flattenParams(config: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (!isRecord(config)) return out;
  for (const [key, value] of Object.entries(config)) {
    if (key.endsWith("_dir")) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = value;
    else if (isRecord(value)) for (const [inner, v] of Object.entries(value)) if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[`${key}.${inner}`] = v;
  }
  return out;
}

const METRIC_KEYS = ["map", "macro_f1", "f1", "precision", "recall", "accuracy"] as const;

/** Final scalar metrics of a meta.json: `test.map`, `test_tuned.macro_f1`, `val.map`… plus the last history values. */
export function finalMetrics(meta: Record<string, unknown>, history: readonly HistoryRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [prefix, field] of [["test", "test_metrics_final"], ["test_tuned", "test_metrics_tuned"], ["val", "val_metrics"]] as const) {
    const metrics = meta[field];
    if (!isRecord(metrics)) continue;
    for (const key of METRIC_KEYS) if (typeof metrics[key] === "number") out[`${prefix}.${key}`] = metrics[key];
  }
  const last = history[history.length - 1];
  if (last !== undefined) for (const [key, value] of Object.entries(last)) if (key.endsWith("loss")) out[`final.${key}`] = value;
  return out;
}

/** Per-label rows of `test_metrics_final.per_label`. */
export function perLabelMetrics(meta: Record<string, unknown>): LabelMetricsRow[] {
  const metrics = meta.test_metrics_final;
  if (!isRecord(metrics) || !Array.isArray(metrics.per_label)) return [];
  return metrics.per_label.flatMap((row): LabelMetricsRow[] => {
    if (!isRecord(row) || typeof row.label !== "string") return [];
    const num = (v: unknown): number => (typeof v === "number" ? v : 0);
    return [{ label: row.label, precision: num(row.precision), recall: num(row.recall), f1: num(row.f1), support: num(row.support), ap: typeof row.ap === "number" ? row.ap : null }];
  });
}

/**
 * Builds a run view from meta.json's parsed object (or undefined while the run has none) and its history.
 * @example runFromFolder("/ws/runs/r1", { status: "completed", config: {} }, [])
 */
export function runFromFolder(dir: string, meta: Record<string, unknown> | undefined, history: HistoryRow[]): RunView {
  const status = typeof meta?.status === "string" ? meta.status : history.length > 0 ? "running" : "unknown";
  const epochsPlanned = history[history.length - 1]?.epochs;
  return {
    id: typeof meta?.run_id === "string" ? meta.run_id : basename(dir),
    dir,
    source: "folder",
    status,
    epochs: typeof meta?.epochs_run === "number" ? meta.epochs_run : typeof epochsPlanned === "number" ? history.length : history.length,
    params: flattenParams(meta?.config),
    metrics: meta === undefined ? {} : finalMetrics(meta, history),
    history,
    perLabel: meta === undefined ? [] : perLabelMetrics(meta),
  };
}

/** Reads one run folder; missing files give an empty part, a broken meta.json gives no meta. */
export async function readRunFolder(dir: string): Promise<RunView> {
  const historyText = await readFile(join(dir, "history.jsonl"), "utf8").catch(() => "");
  const metaText = await readFile(join(dir, "meta.json"), "utf8").catch(() => undefined);
  let meta: Record<string, unknown> | undefined;
  if (metaText !== undefined) {
    try {
      const parsed: unknown = JSON.parse(metaText);
      if (isRecord(parsed)) meta = parsed;
    } catch {
      meta = undefined;
    }
  }
  return runFromFolder(dir, meta, parseHistory(historyText));
}

/** Jobs from `trainset jobs list --json` (an array, or `{jobs: [...]}`) as run views. */
export function runsFromJobList(stdout: string): RunView[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return [];
  }
  const list = Array.isArray(parsed) ? parsed : isRecord(parsed) && Array.isArray(parsed.jobs) ? parsed.jobs : [];
  return list.flatMap((job): RunView[] => {
    if (!isRecord(job) || typeof job.id !== "string") return [];
    const metrics: Record<string, number> = {};
    if (isRecord(job.metrics)) for (const [k, v] of Object.entries(job.metrics)) if (typeof v === "number") metrics[k] = v;
    const progress = isRecord(job.progress) && typeof job.progress.percent === "number" ? job.progress.percent : undefined;
    if (progress !== undefined) metrics.progress_percent = progress;
    return [{ id: job.id, dir: job.id, source: "job", status: typeof job.state === "string" ? job.state : "unknown", epochs: 0, params: { kind: typeof job.kind === "string" ? job.kind : "", user: typeof job.user === "string" ? job.user : "" }, metrics, history: [], perLabel: [] }];
  });
}

/** The CSV of runs: one row per run, params then metrics columns (RFC 4180 quoting). */
export function runsToCsv(runs: readonly RunView[]): string {
  const params = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const quote = (value: unknown): string => {
    const text = value === undefined || value === null ? "" : typeof value === "object" ? JSON.stringify(value) : String(value as string | number | boolean);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const header = ["id", "status", "epochs", ...params, ...metrics];
  const rows = runs.map((r) => [r.id, r.status, r.epochs, ...params.map((p) => r.params[p]), ...metrics.map((m) => r.metrics[m])].map(quote).join(","));
  return [header.map(quote).join(","), ...rows].join("\n") + "\n";
}
