/**
 * The age v1 header (https://age-encryption.org/v1): recipient stanzas, header MAC and payload
 * nonce come from the `age-encryption` package; the payload key derived from them drives the
 * STREAM framing in age-stream.ts, which runs on node:crypto for throughput.
 */
import { hkdfSync } from "node:crypto";
import { Decrypter, Encrypter, type Recipient } from "age-encryption";
import { TrainsetError, errorMessage } from "../util/errors.js";
import { BundleError } from "./bundle-error.js";

/** Who can open an encrypted file: public recipients, or one passphrase (age's scrypt). */
export type AgeSealing = { recipients: readonly string[] } | { passphrase: string; scryptWorkFactor?: number };

/** Who opens an encrypted file: identities (`AGE-SECRET-KEY-1…`) and/or a passphrase. */
export interface AgeOpening {
  identities?: readonly string[];
  passphrase?: string;
}

/** A header ready to write, and the key of the payload that follows it. */
export interface AgeHeader {
  /** Header text, MAC line and the 16-byte payload nonce: the first bytes of the file. */
  bytes: Buffer;
  /** ChaCha20-Poly1305 key of the STREAM payload (HKDF of the file key and nonce). */
  payloadKey: Buffer;
}

const NONCE_BYTES = 16;
const TAG_BYTES = 16;
/** Headers larger than this are refused (post-quantum stanzas are a few KiB each). */
export const MAX_HEADER_BYTES = 1 << 20;

function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync("sha256", fileKey, nonce, "payload", 32));
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream as unknown as AsyncIterable<Uint8Array>) parts.push(part);
  return Buffer.concat(parts);
}

/** The bytes of an empty age file minus its single 16-byte final chunk: header and nonce. */
async function emptyFileHead(encrypter: Encrypter): Promise<Buffer> {
  const empty = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const whole = await collect(await encrypter.encrypt(empty));
  return whole.subarray(0, whole.length - TAG_BYTES);
}

/**
 * Makes a fresh header (new random file key) for the recipients or the passphrase.
 * @example const { bytes, payloadKey } = await createAgeHeader({ recipients: ["age1..."] });
 */
export async function createAgeHeader(sealing: AgeSealing): Promise<AgeHeader> {
  const encrypter = new Encrypter();
  let fileKey: Uint8Array | undefined;
  try {
    if ("passphrase" in sealing) {
      encrypter.setScryptWorkFactor(sealing.scryptWorkFactor ?? 18);
      encrypter.setPassphrase(sealing.passphrase);
    } else {
      if (sealing.recipients.length === 0) throw new RangeError("Cannot encrypt: give at least one recipient or a passphrase");
      // A recipient of our own sees the file key the library draws, so the payload can be
      // encrypted on node:crypto; it adds no stanza to the header.
      const capture: Recipient = { wrapFileKey: (key) => ((fileKey = Uint8Array.from(key)), []) };
      encrypter.addRecipient(capture);
      for (const r of sealing.recipients) encrypter.addRecipient(r);
    }
  } catch (error) {
    if (error instanceof RangeError) throw error;
    throw new TrainsetError("VALIDATION_ERROR", `Cannot encrypt: a recipient is not a valid age recipient (${errorMessage(error)})`, { field: "recipient" });
  }
  const bytes = await emptyFileHead(encrypter);
  const header = bytes.subarray(0, bytes.length - NONCE_BYTES);
  const nonce = bytes.subarray(bytes.length - NONCE_BYTES);
  if (fileKey === undefined) {
    // Passphrase mode: the library keeps the key to itself; unwrap it from the header we made.
    const decrypter = new Decrypter();
    decrypter.addPassphrase((sealing as { passphrase: string }).passphrase);
    fileKey = await decrypter.decryptHeader(header);
  }
  const key = payloadKey(fileKey, nonce);
  fileKey.fill(0);
  return { bytes, payloadKey: key };
}

/** Length of the header in `head` (through the MAC line), or undefined when it is not complete yet. */
export function findHeaderEnd(head: Buffer): number | undefined {
  const magic = "age-encryption.org/v1\n";
  const start = head.subarray(0, Math.min(head.length, magic.length)).toString("latin1");
  if (!magic.startsWith(start)) {
    const armored = head.subarray(0, 10).toString("latin1").startsWith("-----BEGIN");
    throw new BundleError("not-age", armored ? "the file is ASCII-armored age; decode it with `age -d` first or encrypt without -a" : "the file is not an age-encrypted file (no age-encryption.org/v1 header)");
  }
  const mac = head.indexOf("\n--- ");
  if (mac < 0) return undefined;
  const end = head.indexOf("\n", mac + 1);
  return end < 0 ? undefined : end + 1;
}

/**
 * Unwraps the file key from a complete header (`header` through the MAC line) and derives the
 * payload key with the 16-byte `nonce` that follows it. A key that matches no stanza is a
 * `wrong-key` BundleError; the key material never appears in messages.
 */
export async function openAgeHeader(header: Buffer, nonce: Buffer, opening: AgeOpening): Promise<Buffer> {
  const decrypter = new Decrypter();
  try {
    for (const identity of opening.identities ?? []) decrypter.addIdentity(identity);
  } catch {
    throw new TrainsetError("VALIDATION_ERROR", "Cannot open the bundle: the identity file holds no valid age identity (AGE-SECRET-KEY-1…)", { field: "identity" });
  }
  if (opening.passphrase !== undefined) decrypter.addPassphrase(opening.passphrase);
  let fileKey: Uint8Array;
  try {
    fileKey = await decrypter.decryptHeader(header);
  } catch (error) {
    const why = errorMessage(error);
    if (/no identity matched/.test(why)) throw new BundleError("wrong-key", opening.passphrase !== undefined ? "wrong passphrase, or the bundle was encrypted to recipients, not a passphrase" : "wrong key: none of the given identities is a recipient of this bundle");
    if (/HMAC/.test(why)) throw new BundleError("tampered", "the header MAC does not match: the header was altered");
    throw new BundleError("not-age", `the age header is invalid (${why})`);
  }
  const key = payloadKey(fileKey, nonce);
  fileKey.fill(0);
  return key;
}
