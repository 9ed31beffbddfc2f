/**
 * Writes an age file: header first, then the STREAM payload, into a temp file beside the target
 * that is renamed into place on commit. Only ciphertext ever reaches the disk. Plaintext is
 * gathered (files read straight into it) into 4 MiB batches that go to a hash worker (SHA-256 of
 * tracked files), which hands each one on to a seal worker (see seal-worker.ts) that writes it on
 * the thread pool while it seals the next: the stages overlap, no batch is copied, and at most n+2
 * batches are in flight (n seal workers) until written, so memory stays bounded.
 */
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { closeSync, fdatasync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { MessageChannel, Worker } from "node:worker_threads";
import { ioError } from "../util/errors.js";
import { createAgeHeader, type AgeSealing } from "./age-header.js";
import { STREAM_CHUNK } from "./age-stream.js";
import { HASH_WORKER_SOURCE, SEAL_WORKER_SOURCE } from "./seal-worker.js";

/** Options of {@link openSealedWriter}. */
export interface SealedWriterOptions {
  /**
   * Wait until the bundle is on disk (fdatasync as it grows, fsync before the rename and of the
   * folder after it). Default false, as `tar` and `age`: the rename alone already means no partial
   * file ever carries the target's name, and age's STREAM authenticates every chunk and its end, so
   * a bundle torn by a power loss is refused when opened, never read as complete.
   */
  durable?: boolean;
}

/** An open encrypted output. */
export interface SealedWriter {
  /**
   * Encrypts and writes plaintext bytes (copied: the caller may reuse `plain` at once); with
   * `track`, the bytes also feed the SHA-256 of that tracked file.
   */
  write(plain: Buffer, track?: number): Promise<void>;
  /**
   * Reads up to `size` bytes of the open file `fd` straight into the batch (no intermediate copy)
   * as tracked file `track`; returns how many it read (less than `size` only at end of file).
   */
  writeFrom(fd: number, size: number, track: number): Promise<number>;
  /** Ends tracked file `track`; its hex SHA-256 is in {@link SealedWriter.digests} after `settle()`. */
  endTrack(track: number): void;
  /** Waits until every byte written so far is hashed (the digests of ended files are in). */
  settle(): Promise<void>;
  /** Digests of ended tracked files, by track id. */
  readonly digests: ReadonlyMap<number, string>;
  /** Writes the final chunk, syncs (when durable) and renames over the target; returns the ciphertext size. */
  commit(): Promise<number>;
  /** Stops the worker and removes the temp file; the target is untouched. */
  abort(): Promise<void>;
}

const BATCH = 64 * STREAM_CHUNK;
/**
 * Seal workers: ChaCha20-Poly1305 is the slowest stage. Two even on two cores: one seal worker
 * stalled the pipeline whenever it waited on a write or lost its core (2 GB on 2 cores: 8.2-8.6 s
 * with one, 5.4-6.2 s with two); three where there are cores to spare. Each costs an isolate and
 * the garbage of its 64 KiB cipher outputs.
 */
const SEALERS = availableParallelism() >= 6 ? 3 : 2;
/** Flush written ciphertext to disk in the background this often, so the final fsync is short. */
const SYNC_EVERY = 256 << 20;
/** Batches read but not yet written: enough to keep every stage busy, few enough to bound memory. */
const IN_FLIGHT = SEALERS + 2;

type WorkerReply = { type: "sealed"; buffer: ArrayBuffer } | { type: "written"; written: number } | { type: "hashed"; digests: Array<[number, string]>; buffer?: ArrayBuffer } | { type: "error"; message: string };
/** Hash operations in batch order: update track with [start, start+length), or finish track. */
type HashOp = ["u", number, number, number] | ["f", number];

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    await handle.sync().finally(() => handle.close());
  } catch {
    /* some filesystems cannot open folders; the rename is still atomic */
  }
}

/**
 * Opens `target` for encrypted writing (mode 0600).
 * @example const out = await openSealedWriter("b.tar.age", { recipients }); await out.write(data); await out.commit();
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
  const channels = Array.from({ length: SEALERS }, () => new MessageChannel());
  const sealers = channels.map(
    ({ port2 }) => new Worker(SEAL_WORKER_SOURCE, { eval: true, execArgv: [], workerData: { key: header.payloadKey, fd, offset: header.bytes.length, chunksPerBatch: BATCH / STREAM_CHUNK, port: port2 }, transferList: [port2] }),
  );
  const ports = channels.map((c) => c.port1);
  const hasher = new Worker(HASH_WORKER_SOURCE, { eval: true, execArgv: [], workerData: { ports }, transferList: ports });
  const workers = [hasher, ...sealers];
  header.payloadKey.fill(0);
  let written = header.bytes.length;
  let failure: Error | undefined;
  const pool: ArrayBuffer[] = [];
  const digests = new Map<number, string>();
  let inFlight = 0;
  let hashInFlight = 0;
  let returned: ArrayBuffer | undefined;
  let unsynced = 0;
  let syncing = false;
  let wake: (() => void) | undefined;
  for (const sealer of sealers) {
    sealer.on("message", (reply: WorkerReply) => {
      if (reply.type === "sealed") pool.push(reply.buffer);
      else if (reply.type === "written") {
        inFlight--;
        written += reply.written;
        unsynced += reply.written;
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
      } else if (reply.type === "error") failure ??= new Error(reply.message);
      wake?.();
    });
  }
  hasher.on("message", (reply: WorkerReply) => {
    if (reply.type === "hashed") {
      hashInFlight--;
      for (const [id, hex] of reply.digests) digests.set(id, hex);
      if (reply.buffer !== undefined) returned = reply.buffer;
    } else if (reply.type === "error") failure ??= new Error(reply.message);
    wake?.();
  });
  for (const w of workers) {
    w.on("error", (error) => {
      failure ??= error;
      wake?.();
    });
  }
  const waitFor = async (done: () => boolean): Promise<void> => {
    while (!done() && failure === undefined) await new Promise<void>((res) => (wake = res));
    wake = undefined;
    if (failure !== undefined) throw ioError("write", target, failure);
  };
  let batch = Buffer.from(new ArrayBuffer(BATCH));
  let used = 0;
  let seq = 0;
  let ops: HashOp[] = [];
  /** Sends the batch on (hash, then seal): full unless `last`, so STREAM counters follow from `seq`. */
  const send = async (last: boolean): Promise<void> => {
    if (used !== BATCH && !last) throw new Error(`Cannot write "${target}": internal error, a partial batch before the end`);
    if (used === 0 && seq > 0) throw new Error(`Cannot write "${target}": internal error, an empty last batch`);
    await waitFor(() => inFlight < IN_FLIGHT);
    inFlight++;
    hashInFlight++;
    const buffer = batch.buffer;
    hasher.postMessage({ buffer, length: used, last, ops, seq: seq++, forward: true }, [buffer]);
    ops = [];
    const reused = pool.pop();
    batch = Buffer.from(reused ?? new ArrayBuffer(BATCH));
    used = 0;
  };
  /** Hashes what the current batch holds so far and takes the batch back to fill it further. */
  const hashPartial = async (): Promise<void> => {
    if (ops.length > 0) {
      hashInFlight++;
      returned = undefined;
      const buffer = batch.buffer;
      hasher.postMessage({ buffer, length: used, last: false, ops, seq: -1, forward: false }, [buffer]);
      ops = [];
      await waitFor(() => returned !== undefined);
      batch = Buffer.from(returned as unknown as ArrayBuffer);
      returned = undefined;
    }
    await waitFor(() => hashInFlight === 0);
  };
  let closed = false;
  const abort = async (): Promise<void> => {
    if (closed) return;
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
    async write(plain, track) {
      if (closed) throw new Error(`Cannot write "${target}": the writer is already closed`);
      let offset = 0;
      while (offset < plain.length) {
        if (used === BATCH) await send(false);
        const n = Math.min(BATCH - used, plain.length - offset);
        plain.copy(batch, used, offset, offset + n);
        if (track !== undefined) ops.push(["u", track, used, n]);
        used += n;
        offset += n;
      }
    },
    async writeFrom(fd, size, track) {
      if (closed) throw new Error(`Cannot write "${target}": the writer is already closed`);
      let left = size;
      while (left > 0) {
        if (used === BATCH) await send(false);
        const n = readSync(fd, batch, used, Math.min(BATCH - used, left), null);
        if (n === 0) break;
        ops.push(["u", track, used, n]);
        used += n;
        left -= n;
      }
      return size - left;
    },
    endTrack(track) {
      ops.push(["f", track]);
    },
    async settle() {
      await hashPartial();
    },
    async commit() {
      try {
        await send(true);
        await waitFor(() => inFlight === 0 && hashInFlight === 0);
        closed = true;
        await Promise.all(workers.map((w) => w.terminate()));
        await waitFor(() => !syncing);
        if (durable) fsyncSync(fd as number);
        closeSync(fd as number);
        fd = undefined;
        renameSync(temp, target);
      } catch (error) {
        closed = false;
        await abort();
        throw ioError("write", target, error);
      }
      if (durable) await syncDir(dirname(target));
      return written;
    },
    abort,
  };
}
