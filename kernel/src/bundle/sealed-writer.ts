/**
 * Writes an age file: header first, then the STREAM payload, into a temp file beside the target
 * that is renamed into place on commit. Only ciphertext ever reaches the disk. The main thread
 * only plans (batch-plan.ts): 4 MiB batches of inline bytes and file ranges go to seal workers
 * (seal-worker.ts) that read the files themselves, hash the tracked ones, seal and write with
 * positioned writes, each batch in its own place. At most n+2 batches (n workers) are in flight
 * until written, so memory stays bounded whatever the size of the files.
 */
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { closeSync, fdatasync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { TrainsetError, ioError } from "../util/errors.js";
import { createAgeHeader, type AgeSealing } from "./age-header.js";
import { STREAM_CHUNK } from "./age-stream.js";
import { BatchPlanner, type HashRequest, type PlannedBatch } from "./batch-plan.js";
import { SEAL_WORKER_SOURCE } from "./seal-worker.js";

/** Options of {@link openSealedWriter}. */
export interface SealedWriterOptions {
  /**
   * Wait until the bundle is on disk (fdatasync as it grows, fsync before the rename and of the
   * folder after it). Default false, as `tar` and `age`: the rename alone already means no partial
   * file ever carries the target's name, and age's STREAM authenticates every chunk and its end, so
   * a bundle torn by a power loss is refused when opened, never read as complete.
   */
  durable?: boolean;
  /** Called as the payload reaches the file, with how many plaintext bytes from its start are written (default: none). */
  onWritten?: (plainBytes: number) => void;
}

/** An open encrypted output. */
export interface SealedWriter {
  /** Encrypts and writes plaintext bytes (copied: the caller may reuse `plain` at once). */
  write(plain: Uint8Array): Promise<void>;
  /**
   * Encrypts and writes the first `size` bytes of the file `path`, read by the seal workers; with
   * `track`, its hex SHA-256 is in {@link SealedWriter.digests} after `settle()`. A file that has
   * fewer bytes fails the writer with a CONFLICT error naming it.
   */
  writeFile(path: string, size: number, track?: number): Promise<void>;
  /** Plaintext bytes written (planned) so far. */
  readonly position: number;
  /** Waits until every tracked file written so far is hashed. */
  settle(): Promise<void>;
  /** Digests of tracked files, by track id. */
  readonly digests: ReadonlyMap<number, string>;
  /**
   * Writes the final chunk, syncs (when durable) and renames over the target; returns the
   * ciphertext size. `beforeRename` runs once every byte is written: a throw there aborts instead.
   */
  commit(beforeRename?: () => void): Promise<number>;
  /** Stops the workers and removes the temp file; the target is untouched. */
  abort(): Promise<void>;
}

/** Plaintext bytes per batch: 64 STREAM chunks. */
export const SEAL_BATCH_BYTES = 64 * STREAM_CHUNK;
/**
 * Seal workers, each reading, hashing, sealing and writing whole batches: ChaCha20-Poly1305 (about
 * 0.8 GB/s per core with Node's OpenSSL) dominates, so one per core; at least two, so the pipeline
 * never stalls while one waits on a read; at most four, past which the page cache's write speed
 * bounds the bundle and each more worker only costs memory (an isolate, its buffers).
 */
const SEALERS = Math.min(4, Math.max(2, availableParallelism()));
/** Flush written ciphertext to disk in the background this often, so the final fsync is short. */
const SYNC_EVERY = 256 << 20;
/** Batches sent but not yet written: one queued behind each busy worker, few enough to bound memory. */
const IN_FLIGHT = SEALERS + 2;
/** Jobs queued on one worker: the next one waits there while it seals, so it never idles on the main thread. */
const QUEUED_PER_WORKER = 2;

type WorkerReply =
  | { type: "hashed"; digests: Array<[number, string]> }
  | { type: "written"; seq: number; plain: number; written: number }
  | { type: "error"; message: string; file?: string; code?: string; shrank?: boolean };

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    await handle.sync().finally(() => handle.close());
  } catch {
    /* some filesystems cannot open folders; the rename is still atomic */
  }
}

/** The error a worker reported, typed: a source file that shrank or cannot be read, else the output. */
function workerFailure(reply: Extract<WorkerReply, { type: "error" }>, target: string): TrainsetError {
  if (reply.file === undefined) return ioError("write", target, new Error(reply.message));
  if (reply.shrank === true) return new TrainsetError("CONFLICT", `Cannot read "${reply.file}": ${reply.message}`, { file: reply.file });
  return ioError("read", reply.file, Object.assign(new Error(reply.message), reply.code === undefined ? {} : { code: reply.code }));
}

/**
 * Opens `target` for encrypted writing (mode 0600).
 * @example const out = await openSealedWriter("b.tar.age", { recipients }); await out.writeFile("a.jpg", 1234, 0); await out.commit();
 */
export async function openSealedWriter(target: string, sealing: AgeSealing, options: SealedWriterOptions = {}): Promise<SealedWriter> {
  const durable = options.durable === true;
  const header = await createAgeHeader(sealing);
  await mkdir(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", 0o600);
    let off = 0;
    while (off < header.bytes.length) off += writeSync(fd, header.bytes, off, header.bytes.length - off);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw ioError("write", target, error);
  }
  // No inherited execArgv: flags such as --input-type=module would make the CommonJS source fail.
  const workers = Array.from(
    { length: SEALERS },
    () => new Worker(SEAL_WORKER_SOURCE, { eval: true, execArgv: [], workerData: { key: header.payloadKey, fd, offset: header.bytes.length, chunksPerBatch: SEAL_BATCH_BYTES / STREAM_CHUNK } }),
  );
  header.payloadKey.fill(0);
  const queued = workers.map(() => 0);
  /** Per worker: batches sent and not yet written (sealed or not). */
  const pending = workers.map(() => 0);
  const unwrittenBatches = (): number => pending.reduce((sum, n) => sum + n, 0);
  let written = header.bytes.length;
  let failure: Error | undefined;
  const digests = new Map<number, string>();
  /** Batches written past the contiguous prefix, by seq: the progress frontier moves over them. */
  const writtenAhead = new Map<number, number>();
  let frontierSeq = 0;
  let frontierBytes = 0;
  let unsynced = 0;
  let syncing = false;
  let wake: (() => void) | undefined;
  const onWritten = (seq: number, plain: number): void => {
    writtenAhead.set(seq, plain);
    let moved = false;
    for (let next = writtenAhead.get(frontierSeq); next !== undefined; next = writtenAhead.get(frontierSeq)) {
      writtenAhead.delete(frontierSeq++);
      frontierBytes += next;
      moved = true;
    }
    if (moved) options.onWritten?.(frontierBytes);
  };
  workers.forEach((worker, i) => {
    worker.on("message", (reply: WorkerReply) => {
      if (reply.type === "hashed") {
        queued[i] = (queued[i] ?? 1) - 1;
        for (const [id, hex] of reply.digests) digests.set(id, hex);
      } else if (reply.type === "written") {
        pending[i] = (pending[i] ?? 1) - 1;
        written += reply.written;
        unsynced += reply.written;
        onWritten(reply.seq, reply.plain);
        if (durable && unsynced >= SYNC_EVERY && !syncing && fd !== undefined) {
          // Async (thread pool): the disk catches up while sealing goes on.
          unsynced = 0;
          syncing = true;
          fdatasync(fd, (error) => {
            syncing = false;
            if (error !== null) failure ??= error;
            wake?.();
          });
        }
      } else failure ??= workerFailure(reply, target);
      wake?.();
    });
    worker.on("error", (error) => {
      failure ??= error;
      wake?.();
    });
  });
  const waitFor = async (done: () => boolean): Promise<void> => {
    while (!done() && failure === undefined) await new Promise<void>((res) => (wake = res));
    wake = undefined;
    if (failure !== undefined) throw failure instanceof TrainsetError ? failure : ioError("write", target, failure);
  };
  /** The worker with the fewest queued jobs (then: the fewest batches still to write), once one has room. */
  const idleWorker = async (): Promise<number> => {
    await waitFor(() => queued.some((q) => q < QUEUED_PER_WORKER));
    let best = 0;
    const load = (i: number): number => (queued[i] ?? 0) * 1000 + (pending[i] ?? 0);
    for (let i = 1; i < workers.length; i++) if (load(i) < load(best)) best = i;
    return best;
  };
  const plan = new BatchPlanner(SEAL_BATCH_BYTES);
  const send = async (batches: PlannedBatch[]): Promise<void> => {
    for (const b of batches) {
      await waitFor(() => unwrittenBatches() < IN_FLIGHT);
      const i = await idleWorker();
      queued[i] = (queued[i] ?? 0) + 1;
      pending[i] = (pending[i] ?? 0) + 1;
      workers[i]?.postMessage({ type: "seal", seq: b.seq, length: b.length, last: b.last, segments: b.segments }, b.transfer);
    }
  };
  const sendHashes = async (files: HashRequest[]): Promise<void> => {
    if (files.length === 0) return;
    const i = await idleWorker();
    queued[i] = (queued[i] ?? 0) + 1;
    workers[i]?.postMessage({ type: "hash", files });
  };
  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error(`Cannot write "${target}": the writer is already closed`);
  };
  const abort = async (): Promise<void> => {
    if (closed && fd === undefined) return;
    closed = true;
    // terminate() lets a seal worker's pending positioned writes finish first, so none can land
    // on a descriptor number reused after the close below.
    await Promise.all(workers.map((w) => w.terminate()));
    while (syncing) await new Promise<void>((res) => (wake = res));
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    rmSync(temp, { force: true });
  };
  return {
    digests,
    get position() {
      return plan.position;
    },
    async write(plain) {
      assertOpen();
      await send(plan.addBytes(plain));
    },
    async writeFile(path, size, track) {
      assertOpen();
      await send(plan.addFile(path, size, track));
    },
    async settle() {
      assertOpen();
      await sendHashes(plan.takeOpenHashes());
      await waitFor(() => queued.every((q) => q === 0));
    },
    async commit(beforeRename) {
      assertOpen();
      try {
        await send([plan.finish()]);
        await waitFor(() => unwrittenBatches() === 0 && queued.every((q) => q === 0));
        beforeRename?.();
        closed = true;
        await Promise.all(workers.map((w) => w.terminate()));
        await waitFor(() => !syncing);
        if (durable) fsyncSync(fd as number);
        closeSync(fd as number);
        fd = undefined;
        renameSync(temp, target);
      } catch (error) {
        await abort();
        throw error instanceof TrainsetError ? error : ioError("write", target, error);
      }
      if (durable) await syncDir(dirname(target));
      return written;
    },
    abort,
  };
}
