/** Synthetic images for the demo and tests: solid shapes on a noisy background, made with sharp. */
import sharp from "sharp";
import { seededRandom } from "../util/seeded-random.js";

/** An axis-aligned rectangle drawn into an image, in COCO's `[x, y, width, height]`. */
export interface DrawnBox {
  bbox: [number, number, number, number];
  /** Index into the palette / category list. */
  category: number;
}

const PALETTE: ReadonlyArray<readonly [number, number, number]> = [
  [220, 60, 50],
  [40, 120, 220],
  [60, 180, 90],
  [230, 190, 40],
  [150, 70, 200],
];

/**
 * Renders an RGB image with the given boxes filled in palette colours over mild noise.
 * @example const png = await renderBoxes(320, 240, [{ bbox: [10, 10, 50, 30], category: 0 }], 1);
 */
export async function renderBoxes(width: number, height: number, boxes: readonly DrawnBox[], seed: number, format: "png" | "jpeg" = "png"): Promise<Buffer> {
  const random = seededRandom(seed);
  const pixels = Buffer.alloc(width * height * 3);
  const base = 30 + Math.floor(random() * 40);
  for (let i = 0; i < pixels.length; i++) pixels[i] = base + Math.floor(random() * 24);
  for (const { bbox, category } of boxes) {
    const [x0, y0, w, h] = bbox.map(Math.round) as [number, number, number, number];
    const color = PALETTE[category % PALETTE.length] as readonly [number, number, number];
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) {
        const o = (y * width + x) * 3;
        pixels[o] = color[0];
        pixels[o + 1] = color[1];
        pixels[o + 2] = color[2];
      }
    }
  }
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  return format === "png" ? image.png({ compressionLevel: 6 }).toBuffer() : image.jpeg({ quality: 85 }).toBuffer();
}

/** Random non-degenerate boxes inside a `width` × `height` image. */
export function randomBoxes(width: number, height: number, count: number, categories: number, random: () => number): DrawnBox[] {
  const boxes: DrawnBox[] = [];
  for (let i = 0; i < count; i++) {
    const w = Math.round(20 + random() * width * 0.3);
    const h = Math.round(16 + random() * height * 0.3);
    const x = Math.round(random() * (width - w));
    const y = Math.round(random() * (height - h));
    boxes.push({ bbox: [x, y, w, h], category: Math.floor(random() * categories) });
  }
  return boxes;
}
