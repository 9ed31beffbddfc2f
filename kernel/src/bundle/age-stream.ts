/**
 * age's STREAM payload (https://age-encryption.org/v1, "Payload"): 64 KiB plaintext chunks, each
 * sealed with ChaCha20-Poly1305 under a nonce of an 11-byte big-endian counter and a last-chunk
 * flag byte. Implemented on node:crypto (OpenSSL) rather than the package's pure-JS cipher, which
 * is several times slower; the framing is interoperable with the reference `age` CLI.
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { BundleError } from "./bundle-error.js";

/** Plaintext bytes per chunk. */
export const STREAM_CHUNK = 64 * 1024;
const TAG = 16;
/** Ciphertext bytes of a full chunk. */
export const STREAM_SEALED_CHUNK = STREAM_CHUNK + TAG;

function nonceFor(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** Seals one chunk into `out` as two pieces (ciphertext, tag): no concatenation copy. */
function seal(key: Buffer, counter: number, last: boolean, plain: Buffer, out: Buffer[]): void {
  const cipher = createCipheriv("chacha20-poly1305", key, nonceFor(counter, last), { authTagLength: TAG });
  const body = cipher.update(plain);
  cipher.final();
  if (body.length > 0) out.push(body);
  out.push(cipher.getAuthTag());
}

function open(key: Buffer, counter: number, last: boolean, sealed: Buffer): Buffer | undefined {
  if (sealed.length < TAG) return undefined;
  const decipher = createDecipheriv("chacha20-poly1305", key, nonceFor(counter, last), { authTagLength: TAG });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  const body = decipher.update(sealed.subarray(0, sealed.length - TAG));
  try {
    decipher.final();
  } catch {
    return undefined;
  }
  return body;
}

/**
 * Encrypts a byte stream into STREAM chunks; a full chunk is held back until more data shows it
 * is not the last one (age allows an empty final chunk only for an empty file).
 * @example const s = new StreamSealer(key); out.push(...s.push(data), ...s.end());
 */
export class StreamSealer {
  private readonly pending = Buffer.alloc(STREAM_CHUNK);
  private used = 0;
  private counter = 0;

  constructor(private readonly key: Buffer) {}

  /** Encrypts what can be encrypted now; returns ciphertext pieces to write in order. */
  push(data: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let offset = 0;
    while (offset < data.length) {
      if (this.used === STREAM_CHUNK) {
        seal(this.key, this.counter++, false, this.pending, out);
        this.used = 0;
      }
      if (this.used === 0 && data.length - offset > STREAM_CHUNK) {
        seal(this.key, this.counter++, false, data.subarray(offset, offset + STREAM_CHUNK), out);
        offset += STREAM_CHUNK;
        continue;
      }
      const n = Math.min(STREAM_CHUNK - this.used, data.length - offset);
      data.copy(this.pending, this.used, offset, offset + n);
      this.used += n;
      offset += n;
    }
    return out;
  }

  /** Seals the final chunk; returns its pieces. */
  end(): Buffer[] {
    const out: Buffer[] = [];
    seal(this.key, this.counter++, true, this.pending.subarray(0, this.used), out);
    return out;
  }
}

/**
 * Decrypts STREAM chunks, authenticating each; a failed chunk is a `tampered` BundleError, a
 * stream that stops before the final chunk a `truncated` one.
 * @example const s = new StreamOpener(key); for (const c of input) write(s.push(c)); write(s.end());
 */
export class StreamOpener {
  private readonly pending = Buffer.alloc(STREAM_SEALED_CHUNK);
  private used = 0;
  private counter = 0;

  constructor(private readonly key: Buffer) {}

  private openFull(chunk: Buffer): Buffer {
    const plain = open(this.key, this.counter, false, chunk);
    if (plain === undefined) {
      // A final chunk that arrives full and is followed by more data is still a forgery.
      throw new BundleError("tampered", `encrypted chunk ${this.counter} (at payload byte ${this.counter * STREAM_SEALED_CHUNK}) fails authentication: the bundle was altered or damaged`);
    }
    this.counter++;
    return plain;
  }

  /** Decrypts the chunks that are complete and known not to be the last. */
  push(data: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let offset = 0;
    while (offset < data.length) {
      if (this.used === STREAM_SEALED_CHUNK) {
        out.push(this.openFull(this.pending));
        this.used = 0;
      }
      if (this.used === 0 && data.length - offset > STREAM_SEALED_CHUNK) {
        out.push(this.openFull(data.subarray(offset, offset + STREAM_SEALED_CHUNK)));
        offset += STREAM_SEALED_CHUNK;
        continue;
      }
      const n = Math.min(STREAM_SEALED_CHUNK - this.used, data.length - offset);
      data.copy(this.pending, this.used, offset, offset + n);
      this.used += n;
      offset += n;
    }
    return out;
  }

  /** Decrypts the final chunk, or says why the stream is incomplete. */
  end(): Buffer {
    const rest = this.pending.subarray(0, this.used);
    const plain = open(this.key, this.counter, true, rest);
    if (plain !== undefined) {
      if (plain.length === 0 && this.counter > 0) throw new BundleError("tampered", "the final encrypted chunk is empty, which age does not produce");
      return plain;
    }
    if (this.used === 0 && this.counter === 0) throw new BundleError("truncated", "the file ends right after the age header: it was cut short");
    if (this.used === 0 || open(this.key, this.counter, false, rest) !== undefined) {
      throw new BundleError("truncated", `the bundle ends after encrypted chunk ${this.counter - (this.used === 0 ? 1 : 0)} without age's final chunk: the file was cut short`);
    }
    throw new BundleError("truncated", `the last encrypted chunk (${this.counter}) is incomplete or fails authentication: the file was cut short or its end was altered`);
  }
}
