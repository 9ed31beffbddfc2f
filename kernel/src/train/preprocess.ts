/** Image decoding for backbones: sharp → RGB, resize, /255, optional ImageNet mean/std. */
import sharp from "sharp";
import { TrainsetError } from "../util/errors.js";

/** How pixels become a tensor; part of the embeddings cache key. */
export interface Preprocessing {
  size: number;
  /** `imagenet`: (x/255 - mean)/std (lx-ai); `unit`: x/255 (nsfwjs MobileNetV2). */
  normalize: "imagenet" | "unit";
  /** `nchw` for ONNX exports of PyTorch models, `nhwc` for tfjs/Keras. */
  layout: "nchw" | "nhwc";
}

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** A stable text form of the preprocessing, for cache keys. */
export function preprocessingKey(p: Preprocessing): string {
  return `${p.size}x${p.size}/${p.normalize}/${p.layout}/fill`;
}

/**
 * Decodes an image file and writes its tensor into `out` at `offset` (size*size*3 floats).
 * @example await loadImageInto("a.jpg", pre, batch, 0)
 */
export async function loadImageInto(
  input: string | Buffer,
  pre: Preprocessing,
  out: Float32Array,
  offset: number,
): Promise<void> {
  let raw: Buffer;
  try {
    raw = await sharp(input).removeAlpha().toColourspace("srgb").resize(pre.size, pre.size, { fit: "fill" }).raw().toBuffer();
  } catch (error) {
    const name = typeof input === "string" ? `"${input}"` : "image buffer";
    throw new TrainsetError("IO_ERROR", `Cannot read image ${name}: ${error instanceof Error ? error.message : String(error)}`, {
      ...(typeof input === "string" ? { file: input } : {}),
      cause: error,
    });
  }
  const hw = pre.size * pre.size;
  const channels = raw.length / hw;
  for (let i = 0; i < hw; i++) {
    for (let c = 0; c < 3; c++) {
      let v = (raw[i * channels + (channels >= 3 ? c : 0)] ?? 0) / 255;
      if (pre.normalize === "imagenet") v = (v - (MEAN[c] ?? 0)) / (STD[c] ?? 1);
      out[offset + (pre.layout === "nchw" ? c * hw + i : i * 3 + c)] = v;
    }
  }
}
