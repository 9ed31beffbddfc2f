/** Progress reporting and cancellation shared by every long-running library call. */
import { TrainsetError } from "./errors.js";

/** One progress tick: `done` of `total` units in a named phase. */
export interface ProgressEvent {
  /** Short phase name, e.g. `scan`, `hash`, `extract frames`. */
  phase: string;
  done: number;
  /** Unknown totals are allowed (a spinner instead of a bar). */
  total?: number;
  /** Unit for humans, e.g. `files`, `frames`, `MB`. */
  unit?: string;
}

/** Receives progress ticks; must be cheap, it may be called per item. */
export type ProgressListener = (event: ProgressEvent) => void;

/** The second argument of every long-running library function. */
export interface RunControl {
  /** Aborting stops the work between items and rejects with an ABORTED TrainsetError. */
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** Throws an ABORTED TrainsetError when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, action: string): void {
  if (signal?.aborted === true) {
    throw new TrainsetError("ABORTED", `Cannot ${action}: it was cancelled`, { cause: signal.reason });
  }
}

/**
 * Rate-limits progress ticks to one per `intervalMs` (plus the final one), so per-item loops
 * stay fast when the listener renders a bar.
 */
export function throttleProgress(listener: ProgressListener | undefined, intervalMs = 100): ProgressListener {
  if (listener === undefined) return () => undefined;
  let last = 0;
  return (event) => {
    const now = Date.now();
    if (now - last >= intervalMs || (event.total !== undefined && event.done >= event.total)) {
      last = now;
      listener(event);
    }
  };
}
