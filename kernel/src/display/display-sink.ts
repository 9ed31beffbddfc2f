/**
 * The link between `display` (imported by user code) and the kernel running the cell. It lives on
 * a global symbol so that two copies of this module (source and built) still meet.
 */
import type { JsonObject, MimeBundle } from "../jupyter/messages.js";

/** Transient fields of a display message (spec: display_data / update_display_data). */
export interface DisplayTransient {
  display_id?: string;
}

/** What the kernel offers to display helpers while a cell runs. */
export interface DisplaySink {
  /** Sends `display_data`. */
  display(data: MimeBundle, metadata: JsonObject, transient: DisplayTransient): void;
  /** Sends `update_display_data` for an earlier display with the same id. */
  update(data: MimeBundle, metadata: JsonObject, displayId: string): void;
  /** Sends `clear_output`. */
  clear(wait: boolean): void;
  /** Keeps the cell open until `work` settles (for outputs rendered asynchronously). */
  track(work: Promise<unknown>): void;
  /** Aborts when the user interrupts the cell. */
  readonly signal: AbortSignal;
}

const SINK = Symbol.for("trainset.jupyter.displaySink");

type SinkHolder = { [SINK]?: DisplaySink | undefined };

/** Installs (or removes, with `undefined`) the sink of the cell that runs now; used by the kernel. */
export function setDisplaySink(sink: DisplaySink | undefined): void {
  (globalThis as SinkHolder)[SINK] = sink;
}

/** The sink of the current cell, or undefined outside the trainset kernel. */
export function currentDisplaySink(): DisplaySink | undefined {
  return (globalThis as SinkHolder)[SINK];
}
