/**
 * Writes the files of an opened bundle: open, positioned writes and close all run on the thread
 * pool, several files at once, while the reader goes on decrypting and hashing. Creating many
 * small files is mostly kernel time (2 GB as 16,384 files: about 7 s of it here), so a write
 * stream per file, each waiting on its own events, would leave the main thread idle on it
 * (unbundle took 42 s that way; `age -d | tar -x` 11 s). Memory stays bounded: past
 * `maxBytesInFlight` of unwritten data, `write` waits.
 */
import { close, mkdirSync, open, write } from "node:fs";
import { dirname } from "node:path";
import { ioError } from "../util/errors.js";
import type { BundleFileSink } from "./read-bundle.js";

/** Options of {@link ExtractWriter}. */
export interface ExtractWriterOptions {
  /** Unwritten bytes past which `write` waits (default 64 MiB). */
  maxBytesInFlight?: number;
}

/** One file being written. */
class ExtractFile implements BundleFileSink {
  private fd: number | undefined;
  private opening = true;
  private position = 0;
  private pending = 0;
  private closing = false;
  private closed = false;
  /** Writes asked for before the open finished. */
  private readonly waiting: Array<[Buffer, number]> = [];

  constructor(
    private readonly path: string,
    private readonly owner: ExtractWriter,
  ) {
    open(path, "wx", 0o644, (error, fd) => {
      this.opening = false;
      if (error !== null) {
        this.owner.failed(ioError("create", path, error));
        for (const [chunk] of this.waiting.splice(0)) this.owner.written(chunk.length);
        this.closed = true;
        this.owner.fileClosed(this);
        return;
      }
      this.fd = fd;
      for (const [chunk, at] of this.waiting.splice(0)) this.writeAt(chunk, at);
      this.closeWhenDone();
    });
  }

  async write(chunk: Buffer): Promise<void> {
    this.owner.throwIfFailed();
    if (chunk.length === 0) return;
    if (this.closing) throw new Error(`Cannot write "${this.path}": it is already closed`);
    this.owner.queued(chunk.length);
    if (this.opening) this.waiting.push([chunk, this.position]);
    else this.writeAt(chunk, this.position);
    this.position += chunk.length;
    await this.owner.throttle();
  }

  close(): void {
    this.closing = true;
    this.closeWhenDone();
  }

  private writeAt(chunk: Buffer, at: number): void {
    if (this.fd === undefined) {
      this.owner.written(chunk.length);
      return;
    }
    this.pending++;
    write(this.fd, chunk, 0, chunk.length, at, (error, written) => {
      this.pending--;
      if (error !== null) {
        this.owner.written(chunk.length);
        this.owner.failed(ioError("write", this.path, error));
      } else if (written < chunk.length) {
        // A short write (rare: a signal, a full disk): go on with the rest.
        this.owner.written(written);
        this.writeAt(chunk.subarray(written), at + written);
        return;
      } else this.owner.written(chunk.length);
      this.closeWhenDone();
    });
  }

  private closeWhenDone(): void {
    if (!this.closing || this.opening || this.pending > 0 || this.closed) return;
    this.closed = true;
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) {
      this.owner.fileClosed(this);
      return;
    }
    close(fd, (error) => {
      if (error !== null) this.owner.failed(ioError("write", this.path, error));
      this.owner.fileClosed(this);
    });
  }
}

/**
 * Creates files (exclusively: an existing path is an error) and writes them in the background.
 * @example const w = new ExtractWriter(); const f = w.create("out/a.jpg"); await f.write(bytes); f.close(); await w.finish();
 */
export class ExtractWriter {
  private readonly maxBytesInFlight: number;
  private readonly folders = new Set<string>();
  private readonly files = new Set<ExtractFile>();
  private bytesInFlight = 0;
  private openFiles = 0;
  private failure: Error | undefined;
  private waiters: Array<() => void> = [];

  constructor(options: ExtractWriterOptions = {}) {
    this.maxBytesInFlight = options.maxBytesInFlight ?? 64 << 20;
  }

  /** A new file at `path` (its folders are created as needed), mode 0644. */
  create(path: string): BundleFileSink {
    this.throwIfFailed();
    const folder = dirname(path);
    if (!this.folders.has(folder)) {
      try {
        mkdirSync(folder, { recursive: true });
      } catch (error) {
        throw ioError("create", folder, error);
      }
      this.folders.add(folder);
    }
    this.openFiles++;
    const file = new ExtractFile(path, this);
    this.files.add(file);
    return file;
  }

  /** Waits until every file is written and closed; throws the first error. */
  async finish(): Promise<void> {
    await this.waitFor(() => this.openFiles === 0);
    this.throwIfFailed();
  }

  /** Closes every file once its writes are done, and waits for that, errors or not (before removing the folder). */
  async drain(): Promise<void> {
    for (const file of this.files) file.close();
    await this.waitFor(() => this.openFiles === 0, false);
  }

  /** @internal */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** @internal */
  queued(bytes: number): void {
    this.bytesInFlight += bytes;
  }

  /** @internal */
  written(bytes: number): void {
    this.bytesInFlight -= bytes;
    this.wake();
  }

  /** @internal */
  failed(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  /** @internal */
  fileClosed(file: ExtractFile): void {
    this.files.delete(file);
    this.openFiles--;
    this.wake();
  }

  /** @internal Waits while too many bytes are unwritten. */
  async throttle(): Promise<void> {
    if (this.bytesInFlight > this.maxBytesInFlight) await this.waitFor(() => this.bytesInFlight <= this.maxBytesInFlight / 2);
    this.throwIfFailed();
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private async waitFor(done: () => boolean, stopOnFailure = true): Promise<void> {
    while (!done() && !(stopOnFailure && this.failure !== undefined)) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
