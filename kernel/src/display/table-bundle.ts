/** Renders a table (an arquero table or an array of records) as HTML and aligned plain text. */
import type { MimeBundle } from "../jupyter/messages.js";
import { inspect } from "node:util";

/** The part of an arquero table that rendering needs (so arquero stays an optional peer). */
export interface TableLike {
  numRows(): number;
  columnNames(): string[];
  objects(options?: { limit?: number }): object[];
}

/** Something `display.table()` accepts. */
export type TableInput = TableLike | readonly object[];

/** Options for {@link tableBundle}. */
export interface TableOptions {
  /** Rows shown before "… N more rows" (default 20). */
  limit?: number;
}

/** True for arquero tables and anything else with the same three methods. */
export function isTableLike(value: unknown): value is TableLike {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Record<keyof TableLike, unknown>>;
  return typeof candidate.numRows === "function" && typeof candidate.columnNames === "function" && typeof candidate.objects === "function";
}

/**
 * Builds the `text/html` + `text/plain` bundle of a table.
 * @example
 * tableBundle([{ file: "a.jpg", label: "cat" }])["text/plain"]; // "file   label\na.jpg  cat"
 */
export function tableBundle(table: TableInput, options: TableOptions = {}): MimeBundle {
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`Cannot display table: limit must be a whole number ≥ 0, got ${limit}`);
  let rows: Record<string, unknown>[];
  let total: number;
  let columns: string[];
  if (isTableLike(table)) {
    total = table.numRows();
    columns = table.columnNames();
    rows = table.objects({ limit }) as Record<string, unknown>[];
  } else if (Array.isArray(table)) {
    const records = table as readonly Record<string, unknown>[];
    total = records.length;
    rows = records.slice(0, limit);
    const seen = new Set<string>();
    for (const row of records) {
      if (typeof row !== "object" || row === null) throw new TypeError("Cannot display table: every row must be an object");
      for (const key of Object.keys(row)) seen.add(key);
    }
    columns = [...seen];
  } else {
    throw new TypeError("Cannot display table: expected an arquero table or an array of records");
  }
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column])));
  const more = total - rows.length;
  const footer = more > 0 ? `… ${more} more row${more === 1 ? "" : "s"} (${total} in all)` : "";

  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = cells.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n");
  const html =
    `<table class="trainset-table">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>` +
    (footer === "" ? "" : `\n<p><em>${escapeHtml(footer)}</em></p>`);

  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  const text = [line(columns), ...cells.map(line), ...(footer === "" ? [] : [footer])].join("\n");
  return { "text/html": html, "text/plain": text };
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  return inspect(value, { depth: 2, breakLength: Infinity });
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}
