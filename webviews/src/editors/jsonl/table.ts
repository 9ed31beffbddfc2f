/** Row parsing and column inference for the JSONL table (pure). */

/** A parsed line: its object (or other JSON value), or the parse error. */
export type ParsedRow = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses one line. */
export function parseRow(text: string): ParsedRow {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error: unknown) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Adds the keys of `value` to `columns` in order of first appearance (non-objects use "value"). */
export function inferColumns(columns: string[], value: unknown): void {
  const keys = typeof value === "object" && value !== null && !Array.isArray(value) ? Object.keys(value) : ["value"];
  for (const key of keys) if (!columns.includes(key)) columns.push(key);
}

/** The short text of a cell. */
export function cellText(value: unknown, column: string): string {
  const v = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[column] : column === "value" ? value : undefined;
  if (v === undefined) return "";
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
