/** Demo: an lx-ai legacy multilabel JSONL with its image folder, quirks of real files included. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LX_AI_JSONL_LABELS, writeLegacyJsonl, type LegacyRecord } from "../formats/legacy-jsonl.js";
import type { DemoStep } from "./demo-step.js";
import { renderBoxes } from "./synthetic-images.js";
import { seededRandom } from "../util/seeded-random.js";

/** Builds `legacy/images/*.jpg` and `legacy/legacy_img_dicts.jsonl`. */
export const legacyStep: DemoStep = {
  title: "lx-ai legacy multilabel JSONL (examinations, unknown labels)",
  async run(ctx) {
    const dir = join(ctx.root, "legacy");
    await mkdir(join(dir, "images"), { recursive: true });
    const random = seededRandom(7);
    const records: LegacyRecord[] = [];
    const count = 60;
    for (let i = 0; i < count; i++) {
      const oldId = 479200 + i;
      const exam = 20 + Math.floor(i / 6);
      const labels = LX_AI_JSONL_LABELS.filter((_, j) => random() < (j === 6 ? 0.4 : 0.15));
      // Visual signal: each present label paints a stripe in its own colour.
      const boxes = labels.map((label) => {
        const j = LX_AI_JSONL_LABELS.indexOf(label);
        return { bbox: [j * 7, 0, 7, 64] as [number, number, number, number], category: j };
      });
      const filename = `${oldId}.jpg`;
      await writeFile(join(dir, "images", filename), await renderBoxes(64, 64, boxes, oldId, "jpeg"));
      records.push({ labels: i % 17 === 5 ? null : labels.length > 0 ? labels : ["outside"], old_examination_id: i % 23 === 22 ? null : exam, old_id: oldId, filename });
      ctx.onProgress?.({ phase: "render endoscopy stand-ins", done: i + 1, total: count, unit: "images" });
    }
    // Real legacy files repeat an old_id with other labels; trainset reports it as a warning.
    const first = records[0] as LegacyRecord;
    records.push({ ...first, labels: ["polyp", "snare"] });
    await writeLegacyJsonl(join(dir, "legacy_img_dicts.jsonl"), records);
    ctx.note(`legacy/legacy_img_dicts.jsonl: ${records.length} lines, ${count} images in ${new Set(records.map((r) => r.old_examination_id)).size} examination groups`);
  },
};
