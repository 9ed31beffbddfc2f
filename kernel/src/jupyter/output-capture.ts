/**
 * Captures what cells write to stdout/stderr (console.* included, it writes through the process
 * streams) and forwards it as Jupyter `stream` messages while the cell runs: a write flushes at
 * once when the last flush is older than the interval, otherwise a timer flushes within it.
 */

/** The two Jupyter stream names. */
export type StreamName = "stdout" | "stderr";

/** Receives captured text, in write order. */
export type StreamTarget = (name: StreamName, text: string) => void;

/** A running capture of process.stdout and process.stderr. */
export interface OutputCapture {
  /** Where text goes from now on; `undefined` writes to the real streams again. */
  setTarget(target: StreamTarget | undefined): void;
  /** Sends everything buffered now. */
  flush(): void;
  /** Writes to the kernel's real stderr (logs), bypassing the capture. */
  log(text: string): void;
  /** Restores the original write methods. */
  restore(): void;
}

type WriteCallback = (error?: Error | null) => void;

/**
 * Replaces `process.stdout.write` and `process.stderr.write` with buffered forwarders.
 * @example
 * const capture = captureProcessOutput(50);
 * capture.setTarget((name, text) => sendStream(name, text));
 */
export function captureProcessOutput(intervalMs = 50): OutputCapture {
  const originals = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  let target: StreamTarget | undefined;
  let bufferName: StreamName | undefined;
  let buffer = "";
  let lastFlush = 0;
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    lastFlush = Date.now();
    if (bufferName === undefined || buffer === "") return;
    const name = bufferName;
    const text = buffer;
    buffer = "";
    bufferName = undefined;
    if (target === undefined) originals[name](text);
    else target(name, text);
  };

  const patched = (name: StreamName) =>
    function write(chunk: unknown, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
      const encoding = typeof encodingOrCallback === "string" ? encodingOrCallback : "utf8";
      const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
      const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString(encoding) : String(chunk);
      if (target === undefined) return originals[name](text, done);
      if (bufferName !== undefined && bufferName !== name) flush();
      bufferName = name;
      buffer += text;
      // Flush now if the last flush is old (this also works inside a busy synchronous loop,
      // where no timer could fire), otherwise within the interval.
      if (Date.now() - lastFlush >= intervalMs) flush();
      else timer ??= setTimeout(flush, intervalMs);
      if (done !== undefined) process.nextTick(done);
      return true;
    };

  process.stdout.write = patched("stdout");
  process.stderr.write = patched("stderr");

  return {
    setTarget(next) {
      flush();
      target = next;
    },
    flush,
    log(text) {
      originals.stderr(text);
    },
    restore() {
      flush();
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}
