/**
 * The worker threads of the bundler, so that reading and tar framing (main thread), SHA-256 (hash
 * worker) and ChaCha20-Poly1305 plus writing (seal workers) overlap, as `tar | age` overlap in two
 * processes. Plain JavaScript sources, evaluated by `new Worker(..., { eval: true })`, so they run
 * the same from TypeScript sources and from the compiled package.
 *
 * Batches travel main -> hash worker -> seal worker `seq % n` -> main (buffers transferred, never
 * copied): the hash worker forwards each batch over a MessagePort once it has hashed it.
 *
 * Seal worker: each message carries batch `seq` of plaintext tar bytes; every batch but the last is
 * exactly `chunksPerBatch` 64 KiB chunks, so the batch's first STREAM counter and its place in the
 * output are known (age v1 "Payload": nonce = 11-byte counter + last flag, 16-byte tag per chunk;
 * only the last batch's last chunk, possibly full, carries the last flag). Several seal workers
 * can therefore seal batches in parallel and write them with positioned writes.
 */
export const SEAL_WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createCipheriv } = require("node:crypto");
const { writev } = require("node:fs");
const key = Buffer.from(workerData.key);
const fd = workerData.fd;
const start = workerData.offset;
const perBatch = workerData.chunksPerBatch;
const CHUNK = ${64 * 1024};
const SEALED = CHUNK + 16;
const nonce = Buffer.alloc(12);
/** 16 sealed chunks (and their tags) per write: about 1 MiB. */
const WRITE_PARTS = 32;
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
 * Writes \`parts\` (chunk, tag, chunk, tag, ...) from \`position\` on the thread pool (the next batch
 * seals meanwhile) in writes of about 1 MiB, then calls \`done\`. Not one 4 MiB write: on Linux 6.x
 * with large page-cache folios a multi-MiB buffered write spends several times longer copying into
 * the page cache than the same bytes in 1 MiB writes (measured: 2 GB, 4 MiB writes 0.8-2.5 s of
 * kernel time, 1 MiB writes 0.4-0.6 s).
 */
function writeAll(parts, position, done) {
  const group = parts.slice(0, WRITE_PARTS);
  const rest = parts.slice(WRITE_PARTS);
  let size = 0;
  for (const p of group) size += p.length;
  writev(fd, group, position, (error, written) => {
    if (error) return done(error);
    if (written === 0) return done(new Error("the disk accepted no bytes"));
    if (written < size) {
      // A short write (rare: a full disk or a signal): go on from the first byte not written.
      const left = Buffer.concat(group).subarray(written);
      return writeAll([left, ...rest], position + written, done);
    }
    if (rest.length === 0) return done(null);
    writeAll(rest, position + written, done);
  });
}
/**
 * Sealed batches waiting for the disk, written one at a time: concurrent writes to one file only
 * spin on its inode lock (measured: 6 % of all CPU time with four in flight).
 */
const queue = [];
let writing = false;
function enqueueWrite(parts, position, done) {
  queue.push({ parts, position, done });
  if (!writing) writeNext();
}
function writeNext() {
  const next = queue.shift();
  if (next === undefined) {
    writing = false;
    return;
  }
  writing = true;
  writeAll(next.parts, next.position, (error) => {
    next.done(error);
    writeNext();
  });
}
workerData.port.on("message", (m) => {
  try {
    if (!m.last && m.length !== perBatch * CHUNK) throw new Error("a batch before the last one is not full");
    const data = Buffer.from(m.buffer, 0, m.length);
    const chunks = Math.max(1, Math.ceil(m.length / CHUNK));
    const at = m.length + 16 * chunks;
    const first = m.seq * perBatch;
    const parts = [];
    for (let i = 0; i < chunks; i++) seal(data.subarray(i * CHUNK, Math.min(m.length, (i + 1) * CHUNK)), first + i, m.last && i === chunks - 1, parts);
    // The plaintext is no longer needed: its buffer goes back to the reader's pool now.
    parentPort.postMessage({ type: "sealed", buffer: m.buffer }, [m.buffer]);
    enqueueWrite(parts, start + first * SEALED, (error) => {
      if (error) parentPort.postMessage({ type: "error", message: String(error.message || error) });
      else parentPort.postMessage({ type: "written", written: at });
    });
  } catch (error) {
    parentPort.postMessage({ type: "error", message: String((error && error.message) || error) });
  }
});
`;

/**
 * Hash worker: each message carries a batch and, in order, the byte ranges that belong to tracked
 * files (`u`: update) and the files that end (`f`: digest, sent to the main thread); then the
 * batch goes on, unchanged, to the seal worker.
 */
export const HASH_WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const sealers = workerData.ports;
const hashes = new Map();
parentPort.on("message", (m) => {
  try {
    const data = Buffer.from(m.buffer, 0, m.length);
    const digests = [];
    for (const op of m.ops) {
      if (op[0] === "u") {
        let h = hashes.get(op[1]);
        if (h === undefined) { h = createHash("sha256"); hashes.set(op[1], h); }
        h.update(data.subarray(op[2], op[2] + op[3]));
      } else {
        const h = hashes.get(op[1]) || createHash("sha256");
        hashes.delete(op[1]);
        digests.push([op[1], h.digest("hex")]);
      }
    }
    if (m.forward) {
      parentPort.postMessage({ type: "hashed", digests });
      sealers[m.seq % sealers.length].postMessage(m, [m.buffer]);
    } else parentPort.postMessage({ type: "hashed", digests, buffer: m.buffer }, [m.buffer]);
  } catch (error) {
    parentPort.postMessage({ type: "error", message: String((error && error.message) || error) });
  }
});
`;
