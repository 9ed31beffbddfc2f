/**
 * HMAC signing of Jupyter messages with the connection file's key.
 * Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Signs and verifies the four JSON frames of a message. */
export interface MessageSigner {
  /** Hex digest over header, parent header, metadata and content ("" when there is no key). */
  sign(parts: readonly Buffer[]): string;
  /** True when `signature` is the digest of `parts`; compared in constant time. */
  verify(parts: readonly Buffer[], signature: string): boolean;
}

const SCHEMES: Record<string, string> = { "hmac-sha256": "sha256", "hmac-sha512": "sha512", "hmac-sha1": "sha1", "hmac-md5": "md5" };

/**
 * Creates a signer for a connection's `key` and `signature_scheme`; an empty key disables signing.
 * @example
 * const signer = createSigner("secret", "hmac-sha256");
 * const digest = signer.sign(frames);
 */
export function createSigner(key: string, scheme = "hmac-sha256"): MessageSigner {
  const algorithm = SCHEMES[scheme];
  if (algorithm === undefined) throw new RangeError(`Cannot sign Jupyter messages: unsupported signature_scheme "${scheme}"`);
  if (key === "") {
    return { sign: () => "", verify: () => true };
  }
  const sign = (parts: readonly Buffer[]): string => {
    const hmac = createHmac(algorithm, key);
    for (const part of parts) hmac.update(part);
    return hmac.digest("hex");
  };
  return {
    sign,
    verify(parts, signature) {
      const expected = Buffer.from(sign(parts), "utf8");
      const given = Buffer.from(signature, "utf8");
      // timingSafeEqual needs equal lengths; a wrong length is a mismatch, compared against itself
      // so the time spent does not depend on where the digests differ.
      if (given.length !== expected.length) {
        timingSafeEqual(expected, expected);
        return false;
      }
      return timingSafeEqual(expected, given);
    },
  };
}
