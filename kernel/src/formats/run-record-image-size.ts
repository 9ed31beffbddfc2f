/**
 * Image sizes for run-record folders, on top of the shared header reader in util/image-size.ts:
 * qontinui's screenshots are PNGs, read from their first 24 bytes; other formats fall back to
 * their headers, then to sharp.
 */
import { open } from "node:fs/promises";
import { ioError, isTrainsetError } from "../util/errors.js";
import { parseImageSize, readImageInfo } from "../util/image-size.js";

/** Pixel size of an image file. */
export interface ImageSize {
  width: number;
  height: number;
}

/** Width and height from a PNG's first 24 bytes, or undefined when the bytes are not a PNG. */
export function pngSize(head: Uint8Array): ImageSize | undefined {
  const size = parseImageSize(head);
  return size?.format === "png" ? { width: size.width, height: size.height } : undefined;
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
 * The pixel size of any image sharp can read (PNG, JPEG and WebP from their headers, without sharp).
 * @example
 * const { width, height } = await readImageSize("images/3f1c9a0b7d2e4c51.png");
 */
export async function readImageSize(path: string): Promise<ImageSize> {
  try {
    const { width, height } = await readImageInfo(path);
    return { width, height };
  } catch (error) {
    // Not a header trainset parses (e.g. TIFF, GIF): let sharp read it; I/O errors stand.
    if (!isTrainsetError(error, "PARSE_ERROR")) throw error;
  }
  const { default: sharp } = await import("sharp");
  try {
    const meta = await sharp(path).metadata();
    if (meta.width === undefined || meta.height === undefined) throw new Error("no size in the header");
    return { width: meta.width, height: meta.height };
  } catch (error) {
    throw ioError("read the size of image", path, error);
  }
}
