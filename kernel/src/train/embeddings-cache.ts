/**
 * Embeddings with an on-disk cache keyed by (backbone hash, image content hash, preprocessing):
 * a frozen backbone gives the same features every epoch, so they are computed once; later epochs
 * and later runs on the same images never touch the backbone (lx-ai recomputes them per epoch).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { TrainsetError } from "../util/errors.js";
import { sha256Hex } from "../util/hashing.js";
import { throttleProgress, throwIfAborted, type RunControl } from "../util/run-control.js";
import type { Backbone } from "./backbone.js";
import { loadImageInto, preprocessingKey } from "./preprocess.js";

/** Options for {@link embedImages}. */
export interface EmbedImagesOptions extends RunControl {
  /** Cache folder (default: no cache). */
  cacheDir?: string;
  /** Images per backbone forward (default 16). */
  batchSize?: number;
}

/** N×dim features in image order, and how they were obtained. */
export interface EmbedImagesResult {
  features: Float32Array;
  dim: number;
  /** Images served from the cache. */
  cacheHits: number;
  /** Images run through the backbone. */
  computed: number;
  /** Seconds spent decoding + in the backbone. */
  backboneSeconds: number;
}

/** The cache folder of one backbone + preprocessing. */
export function embeddingsCacheFolder(cacheDir: string, backbone: Backbone): string {
  return join(cacheDir, `${backbone.id.slice(0, 16)}-${sha256Hex(preprocessingKey(backbone.preprocessing)).slice(0, 8)}`);
}

/**
 * Features of every image, from the cache when present.
 * @example const { features, dim } = await embedImages(paths, backbone, { cacheDir: ".trainset/embeddings" });
 */
export async function embedImages(
  images: readonly string[],
  backbone: Backbone,
  options: EmbedImagesOptions = {},
): Promise<EmbedImagesResult> {
  const progress = throttleProgress(options.onProgress);
  const folder = options.cacheDir === undefined ? undefined : embeddingsCacheFolder(options.cacheDir, backbone);
  const cached = new Array<Float32Array | undefined>(images.length);
  const keys: string[] = new Array<string>(images.length);
  const missing: number[] = [];
  const contents = new Map<number, Buffer>();
  for (let i = 0; i < images.length; i++) {
    throwIfAborted(options.signal, "compute embeddings");
    const path = images[i] ?? "";
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new TrainsetError("IO_ERROR", `Cannot read image "${path}": ${error instanceof Error ? error.message : String(error)}`, { file: path, cause: error });
    }
    const key = sha256Hex(bytes);
    keys[i] = key;
    if (folder !== undefined) {
      const hit = await readFile(join(folder, key.slice(0, 2), `${key}.f32`)).catch(() => undefined);
      if (hit !== undefined && hit.byteLength % 4 === 0 && hit.byteLength > 0) {
        cached[i] = new Float32Array(hit.buffer.slice(hit.byteOffset, hit.byteOffset + hit.byteLength));
        continue;
      }
    }
    missing.push(i);
    contents.set(i, bytes);
    progress({ phase: "hash images", done: i + 1, total: images.length, unit: "images" });
  }
  const batchSize = options.batchSize ?? 16;
  const { size } = backbone.preprocessing;
  const per = size * size * 3;
  const batch = new Float32Array(batchSize * per);
  const started = performance.now();
  for (let b = 0; b < missing.length; b += batchSize) {
    throwIfAborted(options.signal, "compute embeddings");
    const idx = missing.slice(b, b + batchSize);
    // sharp decodes on libuv's thread pool: a batch is decoded in parallel.
    await Promise.all(idx.map((i, k) => loadImageInto(contents.get(i) ?? Buffer.alloc(0), backbone.preprocessing, batch, k * per).catch((error: unknown) => {
      throw new TrainsetError("IO_ERROR", `Cannot read image "${images[i] ?? ""}": it is not a decodable image`, { file: images[i] ?? "", cause: error });
    })));
    const { features, dim } = await backbone.embed(batch, idx.length);
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k] ?? 0;
      const vec = features.slice(k * dim, (k + 1) * dim);
      cached[i] = vec;
      contents.delete(i);
      if (folder !== undefined) {
        const key = keys[i] ?? "";
        await writeFileAtomic(join(folder, key.slice(0, 2), `${key}.f32`), new Uint8Array(vec.buffer, vec.byteOffset, vec.byteLength));
      }
    }
    progress({ phase: "embed images", done: Math.min(b + batchSize, missing.length), total: missing.length, unit: "images" });
  }
  const backboneSeconds = (performance.now() - started) / 1000;
  const dim = cached.find((c) => c !== undefined)?.length ?? 0;
  const out = new Float32Array(images.length * dim);
  cached.forEach((vec, i) => {
    if (vec === undefined || vec.length !== dim)
      throw new TrainsetError("VALIDATION_ERROR", `Cannot use embeddings of "${images[i] ?? ""}": cached vector has ${vec?.length ?? 0} values, expected ${dim} (clear the cache)`);
    out.set(vec, i * dim);
  });
  return { features: out, dim, cacheHits: images.length - missing.length, computed: missing.length, backboneSeconds };
}
