/** Messages of the training runs panel. */

/** One line of a run's `history.jsonl` (per-epoch metrics; other numeric fields kept). */
export type HistoryRow = { epoch: number } & Record<string, number>;

/** Per-label metrics of a finished run (test set, final thresholds). */
export interface LabelMetricsRow {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
  ap: number | null;
}

/** A run as the panel shows it. */
export interface RunView {
  id: string;
  /** Absolute folder of the run, or the job id for a queued job without a folder. */
  dir: string;
  source: "folder" | "job";
  status: string;
  epochs: number;
  /** Flat training parameters (scalars only). */
  params: Record<string, string | number | boolean>;
  /** Final metrics (scalars), e.g. `test.map`, `val.macro_f1`. */
  metrics: Record<string, number>;
  history: HistoryRow[];
  perLabel: LabelMetricsRow[];
}

/** Actions the panel can ask for; the host confirms each with the user first. */
export type RunAction = "cancel" | "deploy" | "revert" | "restore";

/** Host → webview. */
export type RunsToWebview = {
  init: { runs: RunView[] };
  history: { id: string; history: HistoryRow[]; status: string };
  actionResult: { action: RunAction; id: string; ok: boolean; message: string };
};

/** Webview → host. */
export type RunsToHost = {
  ready: null;
  exportCsv: null;
  action: { action: RunAction; id: string };
};

/** The host → webview message types. */
export const RUNS_TO_WEBVIEW: readonly (keyof RunsToWebview)[] = ["init", "history", "actionResult"];

/** The webview → host message types. */
export const RUNS_TO_HOST: readonly (keyof RunsToHost)[] = ["ready", "exportCsv", "action"];
