/** Messages of the JSONL viewer (host: extension/src/editors/jsonl, webview: webviews/src/editors/jsonl). */

/** One line as the table shows it: its 1-based number, text (edits applied) and image thumbnails by column. */
export interface RowView {
  line: number;
  text: string;
  thumbs: Record<string, string>;
}

/** Rows from `offset` of a view with `total` rows (every line, or those matching a search/filter). */
export interface JsonlPage {
  offset: number;
  total: number;
  rows: RowView[];
}

/** Indexing progress: lines indexed so far, and whether the whole file is. */
export interface JsonlProgress {
  lines: number;
  done: boolean;
}

/**
 * What the viewer starts from. The host embeds it in the webview's HTML (element
 * `#jsonl-init`, JSON) with the first page of lines, so the table renders while the page loads,
 * without a round trip; the `init` reply to `ready` repeats it without the page.
 */
export interface JsonlInit {
  title: string;
  manifest: boolean;
  progress: JsonlProgress;
  /** The first page of every line, when it was indexed in time (else the webview asks). */
  page: JsonlPage | null;
}

/** Id of the HTML element that carries the embedded {@link JsonlInit}. */
export const JSONL_INIT_ELEMENT = "jsonl-init";

/** Host → webview. */
export type JsonlToWebview = {
  init: JsonlInit;
  progress: JsonlProgress;
  page: { requestId: number } & JsonlPage;
  changed: null;
  error: { message: string };
};

/** Webview → host. Lines are 1-based. */
export type JsonlToHost = {
  ready: null;
  query: { requestId: number; search: string; brokenOnly: boolean; offset: number; limit: number };
  review: { lines: number[]; reviewed?: boolean; mark?: "good" | "bad" | null };
  openAnnotations: { line: number };
  undo: null;
  redo: null;
};

/** The host → webview message types. */
export const JSONL_TO_WEBVIEW: readonly (keyof JsonlToWebview)[] = ["init", "progress", "page", "changed", "error"];

/** The webview → host message types. */
export const JSONL_TO_HOST: readonly (keyof JsonlToHost)[] = ["ready", "query", "review", "openAnnotations", "undo", "redo"];

/** One image of a preference group: path as written, stage, webview URI (null: not shown). */
export interface PairImage {
  path: string;
  stage: number | null;
  src: string | null;
}

/** One preference record (a group) as the pairs view shows it. */
export interface PairGroupView {
  pos: number;
  line: number;
  project: string;
  timestamp: string;
  winner: PairImage | null;
  losers: PairImage[];
  review: string | null;
  flipped: boolean;
  error: string | null;
}

/** Host → pairs webview. */
export type PairsToWebview = {
  group: { requestId: number; total: number; done: boolean; group: PairGroupView | null };
  changed: null;
  error: { message: string };
};

/** Pairs webview → host. `line` is 1-based. */
export type PairsToHost = {
  ready: null;
  getGroup: { requestId: number; pos: number };
  flip: { line: number; winner: string };
  mark: { line: number; mark: "tie" | "skip" | null };
  undo: null;
  redo: null;
};

/** The host → pairs webview message types. */
export const PAIRS_TO_WEBVIEW: readonly (keyof PairsToWebview)[] = ["group", "changed", "error"];

/** The pairs webview → host message types. */
export const PAIRS_TO_HOST: readonly (keyof PairsToHost)[] = ["ready", "getGroup", "flip", "mark", "undo", "redo"];
