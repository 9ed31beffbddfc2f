/** Content hashes used for dedup, caches and leak checks. */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { ioError } from "./errors.js";

/** Hex SHA-256 of bytes or a string (UTF-8). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * The content id qontinui uses for images: the first 16 hex characters of the SHA-256 of the bytes.
 * @example contentId16(await readFile("shot.png")) // "3f1c9a0b7d2e4c51"
 */
export function contentId16(data: Uint8Array): string {
  return sha256Hex(data).slice(0, 16);
}

/** Streams a file through SHA-256 (constant memory) and returns the hex digest. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
    }
  } catch (error) {
    throw ioError("hash", path, error);
  }
  return hash.digest("hex");
}
