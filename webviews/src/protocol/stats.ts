/** Messages of the dataset statistics panel. */

/** One dataset's counts, as `trainset stats --json` prints them. */
export interface DatasetCounts {
  path: string;
  format: string;
  images?: number;
  records?: number;
  recordsLabel?: string;
  perLabel?: Record<string, number>;
  sources?: Record<string, number>;
  verifiedShare?: number;
  groups?: number;
  extra?: Record<string, number | string>;
}

/** Host → webview. */
export type StatsToWebview = { init: { title: string; datasets: DatasetCounts[] } };

/** Webview → host. */
export type StatsToHost = { ready: null };

/** The host → webview message types (for {@link isMessage}). */
export const STATS_TO_WEBVIEW: readonly (keyof StatsToWebview)[] = ["init"];

/** The webview → host message types. */
export const STATS_TO_HOST: readonly (keyof StatsToHost)[] = ["ready"];
