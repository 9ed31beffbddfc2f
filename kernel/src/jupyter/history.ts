/**
 * The kernel's input history for `history_request` (tail, range, search with glob patterns).
 * Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#history
 */

/** One executed input. */
export interface HistoryEntry {
  session: number;
  line: number;
  input: string;
  /** text/plain of the result, if the cell had one. */
  output: string | null;
}

/** Parameters of a history request. */
export interface HistoryQuery {
  hist_access_type: "tail" | "range" | "search";
  output: boolean;
  n?: number;
  session?: number;
  start?: number;
  stop?: number;
  pattern?: string;
  unique?: boolean;
}

/** A history row as sent: `[session, line, input]` or `[session, line, [input, output]]`. */
export type HistoryRow = [number, number, string | [string, string | null]];

/**
 * Selects history rows as IPython does.
 * @example
 * queryHistory(entries, { hist_access_type: "tail", n: 2, output: false });
 */
export function queryHistory(entries: readonly HistoryEntry[], query: HistoryQuery): HistoryRow[] {
  let selected: HistoryEntry[];
  if (query.hist_access_type === "tail") {
    selected = query.n === undefined ? [...entries] : entries.slice(Math.max(0, entries.length - query.n));
  } else if (query.hist_access_type === "range") {
    const session = query.session ?? 0;
    const current = entries.at(-1)?.session ?? 1;
    const wanted = session <= 0 ? current + session : session;
    const start = query.start ?? 1;
    const stop = query.stop ?? Number.POSITIVE_INFINITY;
    selected = entries.filter((e) => e.session === wanted && e.line >= start && e.line < stop);
  } else {
    const regex = globToRegExp(query.pattern ?? "*");
    selected = entries.filter((e) => regex.test(e.input));
    if (query.unique === true) {
      const seen = new Set<string>();
      selected = selected.reverse().filter((e) => (seen.has(e.input) ? false : (seen.add(e.input), true))).reverse();
    }
    if (query.n !== undefined) selected = selected.slice(Math.max(0, selected.length - query.n));
  }
  return selected.map((e) => [e.session, e.line, query.output ? [e.input, e.output] : e.input]);
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}
