/** Demo: synthetic GUI screenshots with boxes, written as a COCO detection file. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeCoco, type CocoAnnotation, type CocoDataset, type CocoImage } from "../formats/coco.js";
import type { DemoStep } from "./demo-step.js";
import { randomBoxes, renderBoxes } from "./synthetic-images.js";
import { seededRandom } from "../util/seeded-random.js";

/** Category names of the demo's detection set (qontinui-style GUI elements). */
export const DEMO_CATEGORIES = ["login_button", "menu_icon", "text_field"] as const;

/** Builds `coco/images/*.png` and `coco/dataset.json`. */
export const cocoStep: DemoStep = {
  title: "COCO detection set (synthetic screenshots, sharp)",
  async run(ctx) {
    const dir = join(ctx.root, "coco");
    await mkdir(join(dir, "images"), { recursive: true });
    const random = seededRandom(2025);
    const images: CocoImage[] = [];
    const annotations: CocoAnnotation[] = [];
    const count = 24;
    for (let i = 0; i < count; i++) {
      const width = 320;
      const height = 240;
      const boxes = randomBoxes(width, height, 1 + Math.floor(random() * 3), DEMO_CATEGORIES.length, random);
      const fileName = `screen_${String(i).padStart(3, "0")}.png`;
      await writeFile(join(dir, "images", fileName), await renderBoxes(width, height, boxes, i));
      images.push({ id: i + 1, file_name: fileName, width, height });
      for (const box of boxes) {
        annotations.push({
          id: annotations.length + 1,
          image_id: i + 1,
          category_id: box.category + 1,
          bbox: box.bbox,
          area: box.bbox[2] * box.bbox[3],
          iscrowd: 0,
          // qontinui's per-annotation fields, kept by trainset on every round trip.
          confidence: Math.round((0.6 + random() * 0.4) * 100) / 100,
          source: random() < 0.7 ? "template_matching" : "user_click",
          verified: random() < 0.4,
        });
      }
      ctx.onProgress?.({ phase: "render screenshots", done: i + 1, total: count, unit: "images" });
    }
    const dataset: CocoDataset = {
      info: { description: "trainset demo detection set", version: "1.0", year: 2026 },
      licenses: [],
      images,
      annotations,
      categories: DEMO_CATEGORIES.map((name, i) => ({ id: i + 1, name, supercategory: "gui_element" })),
    };
    await writeCoco(join(dir, "dataset.json"), dataset);
    ctx.note(`coco/dataset.json: ${images.length} images, ${annotations.length} boxes, ${DEMO_CATEGORIES.length} categories`);
  },
};
