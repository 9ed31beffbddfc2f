/**
 * Plans the plaintext of an age payload as fixed-size batches of segments (inline bytes, or a
 * range of a file that the seal worker reads itself), so the main thread never touches file
 * contents. Every batch but the last is exactly `batchBytes`, a whole number of STREAM chunks, so
 * a batch's sequence number alone gives its first chunk counter and its place in the output.
 *
 * A tracked file is hashed (SHA-256) by the worker of the batch where it starts: in order from
 * that batch's bytes, then, when the file runs on into later batches, by reading the rest of it.
 * Files that start in the batch still open when digests are wanted become hash-only jobs.
 */

/** Inline plaintext at `offset` in the batch. */
export type BytesSegment = [kind: 0, offset: number, bytes: Uint8Array];
/**
 * `length` bytes of the file `path` from `position`, at `offset` in the batch. `track` >= 0 on the
 * first segment of a tracked file whose SHA-256 this batch's worker computes (`size`: whole file).
 */
export type FileSegment = [kind: 1, offset: number, length: number, path: string, position: number, track: number, size: number];
/** A piece of a batch, in batch order; the segments of a batch cover it without gaps. */
export type BatchSegment = BytesSegment | FileSegment;

/** One batch, ready for a seal worker. */
export interface PlannedBatch {
  seq: number;
  /** Plaintext bytes: the planner's batch size, less only for the last batch. */
  length: number;
  last: boolean;
  segments: BatchSegment[];
  /** The inline bytes' own buffers, to transfer with the batch instead of copying them. */
  transfer: ArrayBuffer[];
}

/** A tracked file for a hash-only job: [track, path, size]. */
export type HashRequest = [track: number, path: string, size: number];

/**
 * Turns a stream of writes into batches.
 * @example const plan = new BatchPlanner(4 << 20); for (const b of plan.addFile("a.jpg", 9e6, 0)) send(b); send(plan.finish());
 */
export class BatchPlanner {
  /** Plaintext bytes planned so far. */
  position = 0;
  private segments: BatchSegment[] = [];
  private transfer: ArrayBuffer[] = [];
  private used = 0;
  private seq = 0;
  /** First segments of tracked files in the open batch. */
  private tracked: FileSegment[] = [];

  constructor(readonly batchBytes: number) {
    if (!Number.isInteger(batchBytes) || batchBytes <= 0) throw new RangeError(`batchBytes must be a positive integer, got ${batchBytes}`);
  }

  /** Plans `bytes` (copied now: the caller may reuse them); returns the batches it completed. */
  addBytes(bytes: Uint8Array): PlannedBatch[] {
    const done: PlannedBatch[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      this.makeRoom(done);
      const n = Math.min(this.batchBytes - this.used, bytes.length - offset);
      // A copy in a buffer of its own (Buffer.slice would share), so posting it moves n bytes, not the caller's whole buffer.
      const piece = new Uint8Array(bytes.subarray(offset, offset + n));
      this.segments.push([0, this.used, piece]);
      this.transfer.push(piece.buffer);
      offset += n;
      this.used += n;
      this.position += n;
    }
    return done;
  }

  /** Plans the first `size` bytes of file `path`, hashed as `track` when given; returns the batches it completed. */
  addFile(path: string, size: number, track = -1): PlannedBatch[] {
    const done: PlannedBatch[] = [];
    if (size === 0) {
      // Nothing to read, but its digest (of no bytes) still comes from the batch's worker.
      if (Number.isNaN(this.seq)) throw new Error("Cannot plan more: the payload plan is finished");
      if (track >= 0) this.pushFile([1, this.used, 0, path, 0, track, 0]);
      return done;
    }
    let position = 0;
    while (position < size) {
      this.makeRoom(done);
      const n = Math.min(this.batchBytes - this.used, size - position);
      this.pushFile([1, this.used, n, path, position, position === 0 ? track : -1, size]);
      position += n;
      this.used += n;
      this.position += n;
    }
    return done;
  }

  /** Hands out the tracked files that start in the open batch, to hash on their own; the batch will not hash them. */
  takeOpenHashes(): HashRequest[] {
    const requests = this.tracked.map((s): HashRequest => [s[5], s[3], s[6]]);
    for (const s of this.tracked) s[5] = -1;
    this.tracked = [];
    return requests;
  }

  /** The last batch (possibly empty, for an empty payload); the planner takes nothing after it. */
  finish(): PlannedBatch {
    if (this.used === 0 && this.seq > 0) throw new Error("Cannot finish the payload plan: an empty last batch after full ones (age would end on an empty chunk)");
    const batch = this.take(true);
    this.seq = Number.NaN;
    return batch;
  }

  private pushFile(segment: FileSegment): void {
    this.segments.push(segment);
    if (segment[5] >= 0) this.tracked.push(segment);
  }

  /** Sends the open batch on once it is full and more bytes follow, so the last batch is never empty. */
  private makeRoom(done: PlannedBatch[]): void {
    if (Number.isNaN(this.seq)) throw new Error("Cannot plan more: the payload plan is finished");
    if (this.used === this.batchBytes) done.push(this.take(false));
  }

  private take(last: boolean): PlannedBatch {
    const batch: PlannedBatch = { seq: this.seq++, length: this.used, last, segments: this.segments, transfer: this.transfer };
    this.segments = [];
    this.transfer = [];
    this.tracked = [];
    this.used = 0;
    return batch;
  }
}
