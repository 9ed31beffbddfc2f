/**
 * The seal worker of the bundler: it turns one planned batch (see batch-plan.ts) into ciphertext
 * on disk by itself. Window by window (256 KiB, so the bytes are still in the core's cache for
 * every step) it reads the batch's file ranges straight into its buffer, feeds the SHA-256 of the
 * files it tracks, and seals the window's STREAM chunks with ChaCha20-Poly1305; then it writes the
 * batch with positioned writes on the thread pool while it takes the next. Several workers run
 * side by side and the main thread only plans: as `tar | age` overlap in two processes, but
 * without copying every byte through a pipe. A plain JavaScript source, evaluated by
 * `new Worker(..., { eval: true })`, so it runs the same from TypeScript sources and from the
 * compiled package.
 *
 * age v1 "Payload" (https://age-encryption.org/v1): 64 KiB chunks, nonce = 11-byte big-endian
 * counter + last flag, 16-byte tag per chunk. Every batch but the last is exactly
 * `chunksPerBatch` chunks, so batch `seq` starts at counter `seq * chunksPerBatch` and at a known
 * output offset; only the last batch's last chunk, possibly full, carries the last flag.
 *
 * Messages in: `{ type: "seal", seq, length, last, segments }` and `{ type: "hash", files }`.
 * Out: `hashed` (digests of the files it tracked; the job is done), `written` (the batch's
 * ciphertext is in the file), `error` (with `file`, `code` and `shrank` when a source file is at fault).
 */
export const SEAL_WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createCipheriv, createHash } = require("node:crypto");
const { closeSync, openSync, readSync, writev } = require("node:fs");
const key = Buffer.from(workerData.key);
const out = workerData.fd;
const start = workerData.offset;
const perBatch = workerData.chunksPerBatch;
const CHUNK = ${64 * 1024};
const SEALED = CHUNK + 16;
/** Filled, hashed and sealed in turn while it is still in cache. */
const WINDOW = 4 * CHUNK;
const batch = Buffer.alloc(perBatch * CHUNK);
/** For the part of a tracked file that lies beyond its first batch. */
const scratch = Buffer.alloc(1 << 20);
const nonce = Buffer.alloc(12);
/** 16 sealed chunks (and their tags) per write: about 1 MiB. */
const WRITE_PARTS = 32;

class SourceError extends Error {
  constructor(message, file, code, shrank) {
    super(message);
    this.file = file;
    this.code = code;
    this.shrank = shrank;
  }
}

/** The source file open for reading; kept while consecutive segments read it. */
let source = { path: "", fd: -1 };
function sourceFd(path) {
  if (source.path === path) return source.fd;
  closeSource();
  try {
    source = { path, fd: openSync(path, "r") };
  } catch (error) {
    throw new SourceError(String(error.message || error), path, error.code, false);
  }
  return source.fd;
}
function closeSource() {
  if (source.fd >= 0) closeSync(source.fd);
  source = { path: "", fd: -1 };
}

/** Reads exactly \`length\` bytes of \`path\` from \`position\` into \`into\` at \`at\`. */
function readExactly(path, into, at, length, position) {
  const fd = sourceFd(path);
  let done = 0;
  while (done < length) {
    let n;
    try {
      n = readSync(fd, into, at + done, length - done, position + done);
    } catch (error) {
      throw new SourceError(String(error.message || error), path, error.code, false);
    }
    if (n === 0) throw new SourceError("it shrank while it was being bundled", path, undefined, true);
    done += n;
  }
}

/** Seals one chunk; its ciphertext and tag join \`parts\` (written with one writev, not copied). */
function seal(plain, counter, last, parts) {
  nonce.fill(0);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  parts.push(cipher.update(plain));
  cipher.final();
  parts.push(cipher.getAuthTag());
}

/**
 * Writes \`parts\` (chunk, tag, chunk, tag, ...) from \`position\` with one positioned writev, then
 * calls \`done\`; a short write (rare: a full disk or a signal) goes on from the first byte not written.
 */
function writeAll(parts, position, done) {
  let size = 0;
  for (const p of parts) size += p.length;
  writev(out, parts, position, (error, written) => {
    if (error) return done(error);
    if (written === 0) return done(new Error("the disk accepted no bytes"));
    if (written < size) return writeAll([Buffer.concat(parts).subarray(written)], position + written, done);
    done(null);
  });
}

/**
 * Writes a sealed batch on the thread pool while the worker seals the next, as pieces of about
 * 1 MiB all issued at once. Not one 4 MiB write: on Linux 6.x with large page-cache folios a
 * multi-MiB buffered write spends several times longer copying into the page cache than the same
 * bytes in 1 MiB writes (2 GB: 0.8-2.5 s of kernel time against 0.4-0.6 s). Not one piece after
 * the other either: each next piece would wait for this worker's event loop, busy sealing (2 GB
 * on 2 cores: 4.0-4.6 s chained, 3.5-4.1 s all at once).
 */
function writeBatch(parts, position, done) {
  let left = Math.ceil(parts.length / WRITE_PARTS);
  let failure = null;
  for (let i = 0; i < parts.length; i += WRITE_PARTS) {
    const group = parts.slice(i, i + WRITE_PARTS);
    writeAll(group, position, (error) => {
      failure = failure || error;
      if (--left === 0) done(failure);
    });
    for (const p of group) position += p.length;
  }
}

/** Hashes what lies beyond \`from\` of a tracked file (its first batch held the bytes before). */
function hashRest(hash, path, from, size) {
  for (let at = from; at < size; ) {
    const n = Math.min(scratch.length, size - at);
    readExactly(path, scratch, 0, n, at);
    hash.update(scratch.subarray(0, n));
    at += n;
  }
}

function sealBatch(m) {
  if (!m.last && m.length !== perBatch * CHUNK) throw new Error("a batch before the last one is not full");
  const segments = m.segments;
  /** Tracked files that start in this batch: [track, hash, segment]. */
  const tracked = [];
  const chunks = Math.max(1, Math.ceil(m.length / CHUNK));
  const first = m.seq * perBatch;
  const parts = [];
  let next = 0;
  let filled = 0;
  for (let w0 = 0; ; w0 += WINDOW) {
    const w1 = Math.min(m.length, w0 + WINDOW);
    while (next < segments.length) {
      const s = segments[next];
      const length = s[0] === 0 ? s[2].length : s[2];
      if (s[1] > w1 || (s[1] === w1 && length > 0)) break;
      const a = Math.max(s[1], w0);
      const b = Math.min(s[1] + length, w1);
      if (a !== filled) throw new Error("the batch's segments leave a gap or overlap at byte " + a);
      if (s[0] === 0) batch.set(s[2].subarray(a - s[1], b - s[1]), a);
      else {
        if (b > a) readExactly(s[3], batch, a, b - a, s[4] + (a - s[1]));
        if (s[5] >= 0) {
          if (a === s[1]) tracked.push([s[5], createHash("sha256"), s]);
          // Segments come in order, so a tracked segment that goes on is the latest one.
          tracked[tracked.length - 1][1].update(batch.subarray(a, b));
        }
      }
      filled = b;
      if (s[1] + length > w1) break;
      next++;
    }
    // WINDOW is whole chunks, so only the batch's end cuts a chunk short.
    const upTo = w1 === m.length ? chunks : w1 / CHUNK;
    for (let c = w0 / CHUNK; c < upTo; c++) {
      seal(batch.subarray(c * CHUNK, Math.min(m.length, (c + 1) * CHUNK)), first + c, m.last && c === chunks - 1, parts);
    }
    if (w1 === m.length) break;
  }
  if (filled !== m.length || next !== segments.length) throw new Error("the batch's segments do not cover its " + m.length + " bytes");
  writeBatch(parts, start + first * SEALED, (error) => {
    if (error) parentPort.postMessage({ type: "error", message: String(error.message || error) });
    else parentPort.postMessage({ type: "written", seq: m.seq, plain: m.length, written: m.length + 16 * chunks });
  });
  // The write goes on meanwhile: now the rest of the tracked files that run on past this batch.
  const digests = [];
  for (const [track, hash, s] of tracked) {
    hashRest(hash, s[3], s[2], s[6]);
    digests.push([track, hash.digest("hex")]);
  }
  return digests;
}

function hashFiles(files) {
  const digests = [];
  for (const [track, path, size] of files) {
    const hash = createHash("sha256");
    hashRest(hash, path, 0, size);
    digests.push([track, hash.digest("hex")]);
  }
  return digests;
}

parentPort.on("message", (m) => {
  try {
    const digests = m.type === "seal" ? sealBatch(m) : hashFiles(m.files);
    parentPort.postMessage({ type: "hashed", digests });
  } catch (error) {
    parentPort.postMessage({ type: "error", message: String((error && error.message) || error), file: error.file, code: error.code, shrank: error.shrank === true });
  } finally {
    closeSource();
  }
});
`;
