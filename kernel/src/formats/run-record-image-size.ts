/**
 * Image sizes without decoding: the PNG IHDR chunk (qontinui's screenshots are PNGs) is read
 * from the first 24 bytes; other formats ask sharp for the header.
 */
import { open } from "node:fs/promises";
import { ioError } from "../util/errors.js";

/** Pixel size of an image file. */
export interface ImageSize {
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from a PNG's first 24 bytes, or undefined when the bytes are not a PNG. */
export function pngSize(head: Uint8Array): ImageSize | undefined {
  if (head.length < 24) return undefined;
  for (let i = 0; i < 8; i++) if (head[i] !== PNG_SIGNATURE[i]) return undefined;
  // IHDR is always the first chunk: length(4) "IHDR"(4) width(4) height(4), big-endian.
  if (head[12] !== 0x49 || head[13] !== 0x48 || head[14] !== 0x44 || head[15] !== 0x52) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Reads the PNG header of `path`; undefined when the file is not a PNG. */
export async function readPngSize(path: string): Promise<ImageSize | undefined> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw ioError("read image", path, error);
  }
  try {
    const head = Buffer.alloc(24);
    const { bytesRead } = await handle.read(head, 0, 24, 0);
    return pngSize(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * The pixel size of any image sharp can read (PNG from its header without sharp).
 * @example
 * const { width, height } = await readImageSize("images/3f1c9a0b7d2e4c51.png");
 */
export async function readImageSize(path: string): Promise<ImageSize> {
  const png = await readPngSize(path);
  if (png !== undefined) return png;
  const { default: sharp } = await import("sharp");
  try {
    const meta = await sharp(path).metadata();
    if (meta.width === undefined || meta.height === undefined) throw new Error("no size in the header");
    return { width: meta.width, height: meta.height };
  } catch (error) {
    throw ioError("read the size of image", path, error);
  }
}
