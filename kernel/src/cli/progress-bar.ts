/** A dependency-free terminal progress bar on stderr, drawn only for interactive terminals. */
import type { ProgressEvent, ProgressListener } from "../util/run-control.js";
import type { CliIo } from "./command.js";

const WIDTH = 28;

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m % 60)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** Renders `phase [#####-----] 41% 410/1000 files 00:03 eta 00:04`. */
export function renderProgressLine(event: ProgressEvent, elapsedSeconds: number): string {
  const unit = event.unit === undefined ? "" : ` ${event.unit}`;
  if (event.total === undefined || event.total <= 0) {
    return `${event.phase} ${event.done}${unit} ${formatDuration(elapsedSeconds)}`;
  }
  const ratio = Math.min(1, event.done / event.total);
  const filled = Math.round(ratio * WIDTH);
  const eta = ratio > 0 ? (elapsedSeconds / ratio) * (1 - ratio) : Number.NaN;
  return (
    `${event.phase} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ` +
    `${String(Math.floor(ratio * 100)).padStart(3)}% ${event.done}/${event.total}${unit} ` +
    `${formatDuration(elapsedSeconds)} eta ${formatDuration(eta)}`
  );
}

/** A progress listener plus `done()` to clear the line. */
export interface ProgressBar {
  listener: ProgressListener;
  done(): void;
}

/** Creates a bar; a no-op when quiet or when stderr is not a terminal. */
export function createProgressBar(io: CliIo, options: { quiet?: boolean } = {}): ProgressBar {
  if (options.quiet === true || !io.interactive) return { listener: () => undefined, done: () => undefined };
  const started = Date.now();
  let phaseStarted = started;
  let phase = "";
  let lastDraw = 0;
  let drawn = false;
  return {
    listener(event) {
      const now = Date.now();
      if (event.phase !== phase) {
        phase = event.phase;
        phaseStarted = now;
      }
      const final = event.total !== undefined && event.done >= event.total;
      if (!final && now - lastDraw < 80) return;
      lastDraw = now;
      drawn = true;
      io.stderr.write(`\r\x1b[2K${renderProgressLine(event, (now - phaseStarted) / 1000)}`);
    },
    done() {
      if (drawn) io.stderr.write("\r\x1b[2K");
    },
  };
}

/**
 * Runs `work` with a progress bar (none when quiet or not a terminal) and always clears the bar,
 * so output printed afterwards starts on a clean line.
 */
export async function withProgressBar<T>(io: CliIo, quiet: boolean, work: (onProgress: ProgressListener) => Promise<T>): Promise<T> {
  const bar = createProgressBar(io, { quiet });
  try {
    return await work(bar.listener);
  } finally {
    bar.done();
  }
}
