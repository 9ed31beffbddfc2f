/** Turns a cell's values and errors into Jupyter MIME bundles and error contents. */
import { inspect } from "node:util";
import { isDisplayHandle } from "../display/display.js";
import { isTableLike, tableBundle } from "../display/table-bundle.js";
import type { MimeBundle } from "./messages.js";

/** The `ename` / `evalue` / `traceback` triple of a Jupyter error. */
export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** The bundle of a cell's result, or undefined when nothing should be shown. */
export function resultBundle(value: unknown): MimeBundle | undefined {
  if (value === undefined || isDisplayHandle(value)) return undefined;
  if (isTableLike(value)) return tableBundle(value);
  return { "text/plain": inspect(value, { depth: 4, colors: false, maxArrayLength: 100, breakLength: 100 }) };
}

/** Describes a thrown value as a Jupyter error; stack frames inside the kernel are left out. */
export function describeError(error: unknown, hiddenPaths: readonly string[]): CellError {
  if (typeof error === "object" && error !== null && "message" in error) {
    const err = error as { name?: unknown; message?: unknown; stack?: unknown; constructor?: { name?: unknown } };
    const ename = typeof err.name === "string" && err.name !== "" ? err.name : typeof err.constructor?.name === "string" ? err.constructor.name : "Error";
    const evalue = String(err.message);
    const stack = typeof err.stack === "string" ? err.stack.split("\n") : [];
    const frames = stack.filter((line) => /^\s+at /.test(line) && !line.includes("node:internal") && !hiddenPaths.some((path) => line.includes(path)));
    const cause = (error as { cause?: unknown }).cause;
    const causeLine = cause === undefined ? [] : [`Caused by: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : inspect(cause, { depth: 2, colors: false })}`];
    return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames, ...causeLine] };
  }
  const evalue = inspect(error, { depth: 2, colors: false });
  return { ename: "Uncaught", evalue, traceback: [`Uncaught ${evalue}`] };
}
