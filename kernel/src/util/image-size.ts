/**
 * Pixel size from the first bytes of PNG, JPEG and WebP files, without decoding: reading a header
 * costs one small read, where a decoder (or sharp's metadata) opens the whole codec.
 * Specs: PNG IHDR (https://www.w3.org/TR/png/#11IHDR), JPEG SOFn markers (ITU T.81 B.2.2),
 * WebP container (https://developers.google.com/speed/webp/docs/riff_container).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
import { ioError, TrainsetError } from "./errors.js";

/** Width and height in pixels, and the container the header was read from. */
export interface ImageSize {
  width: number;
  height: number;
  format: "png" | "jpeg" | "webp";
}

/** What `readImageInfo` learns about one file. */
export interface ImageFileInfo extends ImageSize {
  /** Modification time in milliseconds since the epoch. */
  mtimeMs: number;
  /** Size in bytes. */
  bytes: number;
}

/** `undefined`: not an image we know; `truncated`: looks like one, but the header needs more bytes. */
type SizeResult = ImageSize | "truncated" | undefined;

function u16be(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}
function u32be(b: Uint8Array, i: number): number {
  return (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0;
}
function u24le(b: Uint8Array, i: number): number {
  return (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16);
}
function ascii(b: Uint8Array, i: number, n: number): string {
  let s = "";
  for (let k = 0; k < n; k++) s += String.fromCharCode(b[i + k] ?? 0);
  return s;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngSize(b: Uint8Array, n: number): SizeResult {
  if (n < 24) return "truncated";
  if (ascii(b, 12, 4) !== "IHDR") return undefined;
  return { width: u32be(b, 16), height: u32be(b, 20), format: "png" };
}

// SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range but carry no size.
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(b: Uint8Array, n: number): SizeResult {
  let i = 2;
  while (i + 3 < n) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image / start of scan before any SOF
    if (isStartOfFrame(marker)) {
      if (i + 9 > n) return "truncated";
      return { height: u16be(b, i + 5), width: u16be(b, i + 7), format: "jpeg" };
    }
    const length = u16be(b, i + 2);
    if (length < 2) return undefined;
    i += 2 + length;
  }
  return "truncated";
}

function webpSize(b: Uint8Array, n: number): SizeResult {
  if (n < 30) return "truncated";
  const chunk = ascii(b, 12, 4);
  if (chunk === "VP8 ") {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return { width: u16le14(b, 26), height: u16le14(b, 28), format: "webp" };
  }
  if (chunk === "VP8L") {
    if (b[20] !== 0x2f) return undefined;
    const b0 = b[21] ?? 0;
    const b1 = b[22] ?? 0;
    const b2 = b[23] ?? 0;
    const b3 = b[24] ?? 0;
    return {
      width: 1 + (((b1 & 0x3f) << 8) | b0),
      height: 1 + (((b3 & 0x0f) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6)),
      format: "webp",
    };
  }
  if (chunk === "VP8X") return { width: 1 + u24le(b, 24), height: 1 + u24le(b, 27), format: "webp" };
  return undefined;
}

function u16le14(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) | ((b[i + 1] ?? 0) << 8)) & 0x3fff;
}

function isPng(b: Uint8Array, n: number): boolean {
  if (n < 8) return false;
  for (let i = 0; i < 8; i++) if (b[i] !== PNG_SIGNATURE[i]) return false;
  return true;
}

/** `n`: how many bytes of `b` are valid (lets callers reuse one buffer without slicing it). */
function sizeOf(b: Uint8Array, n: number): SizeResult {
  if (isPng(b, n)) return pngSize(b, n);
  if (n >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegSize(b, n);
  if (n >= 12 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") return webpSize(b, n);
  return n < 12 ? "truncated" : undefined;
}

/**
 * Reads the pixel size from the first bytes of a PNG, JPEG or WebP file; undefined when the bytes
 * are not (enough of) one of those.
 * @example parseImageSize(await readFile("a.png")) // { width: 1024, height: 768, format: "png" }
 */
export function parseImageSize(bytes: Uint8Array): ImageSize | undefined {
  const result = sizeOf(bytes, bytes.length);
  return typeof result === "object" ? result : undefined;
}

// Most headers fit in the first read; JPEGs with large EXIF/ICC segments need the next ones.
const READ_STEPS = [512, 64 * 1024];
const FIRST_READ = Buffer.alloc(READ_STEPS[0] ?? 512);

function unreadable(file: string, reason: string): TrainsetError {
  return new TrainsetError("PARSE_ERROR", `Cannot read the image size of "${file}": ${reason}`, { file });
}

/** What a header probe found: whatever could be read, and the error for the rest. */
export interface ImageProbe {
  mtimeMs: number | null;
  bytes: number | null;
  size: ImageSize | null;
  /** Why something is missing (`Cannot read the image size of "…": …`), or null. */
  error: string | null;
}

/**
 * Synchronous probe that never throws: for callers that batch many small files between
 * event-loop turns (a thread-pool round trip per call would cost more than the read itself).
 * The modification time survives a broken header, so crop-by-time still works on such files.
 * @example probeImageFileSync("raw/20250708_060711_stage2.png").size?.width
 */
export function probeImageFileSync(path: string): ImageProbe {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (error) {
    return { mtimeMs: null, bytes: null, size: null, error: ioError("read the image size of", path, error).message };
  }
  let mtimeMs: number | null = null;
  let bytes: number | null = null;
  try {
    const stat = fstatSync(fd);
    mtimeMs = stat.mtimeMs;
    bytes = stat.size;
    if (!stat.isFile()) return { mtimeMs, bytes, size: null, error: unreadable(path, "it is not a regular file").message };
    for (let step = 0; step <= READ_STEPS.length; step++) {
      const want = Math.min(READ_STEPS[step] ?? stat.size, stat.size);
      // The first, small read goes into one shared buffer: most headers end there.
      const buffer = step === 0 ? FIRST_READ : Buffer.allocUnsafe(want);
      const got = want === 0 ? 0 : readSync(fd, buffer, 0, want, 0);
      const result = sizeOf(buffer, got);
      if (typeof result === "object") return { mtimeMs, bytes, size: result, error: null };
      if (result === undefined) return { mtimeMs, bytes, size: null, error: unreadable(path, "it is not a PNG, JPEG or WebP file").message };
      if (want >= stat.size) break;
    }
    const reason = stat.size === 0 ? "the file is empty" : "the header is truncated";
    return { mtimeMs, bytes, size: null, error: unreadable(path, reason).message };
  } catch (error) {
    return { mtimeMs, bytes, size: null, error: ioError("read the image size of", path, error).message };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads an image file's pixel size (from its header), modification time and byte size.
 * @example const { width, height, mtimeMs } = await readImageInfo("final/20250708_060711_stage2.png");
 */
export async function readImageInfo(path: string): Promise<ImageFileInfo> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw ioError("read the image size of", path, error);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw unreadable(path, "it is not a regular file");
    for (const limit of [...READ_STEPS, stat.size]) {
      const want = Math.min(limit, stat.size);
      const buffer = Buffer.allocUnsafe(want);
      const { bytesRead } = want === 0 ? { bytesRead: 0 } : await handle.read(buffer, 0, want, 0);
      const result = sizeOf(buffer, bytesRead);
      if (typeof result === "object") return { ...result, mtimeMs: stat.mtimeMs, bytes: stat.size };
      if (result === undefined) throw unreadable(path, "it is not a PNG, JPEG or WebP file");
      if (want >= stat.size) break;
    }
    throw unreadable(path, stat.size === 0 ? "the file is empty" : "the header is truncated");
  } catch (error) {
    if (error instanceof TrainsetError) throw error;
    throw ioError("read the image size of", path, error);
  } finally {
    await handle.close();
  }
}
