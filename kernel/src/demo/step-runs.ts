/** Demo: qontinui run records → training dataset over two sessions, then a train/val/test split. */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readActionRecords } from "../export/run-records/action-record.js";
import { TrainingExportService } from "../export/run-records/training-export-service.js";
import { splitCoco } from "../split/split-file.js";
import type { DemoStep } from "./demo-step.js";
import { randomBoxes, renderBoxes } from "./synthetic-images.js";
import { seededRandom } from "../util/seeded-random.js";

const TEMPLATES = ["login_button", "menu_icon", "submit_button", "search_field"] as const;

/** Writes `runs/run_<n>/screenshots/*.png` and `records.jsonl`; every third action repeats a screenshot. */
async function writeRun(root: string, session: number, count: number, templates: readonly string[]): Promise<string> {
  const dir = join(root, "runs", `run_${String(session).padStart(3, "0")}`);
  await mkdir(join(dir, "screenshots"), { recursive: true });
  const random = seededRandom(100 + session);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const ref = `screenshots/action_${String(i).padStart(3, "0")}.png`;
    const [box] = randomBoxes(320, 240, 1, templates.length, random);
    const bbox = box?.bbox ?? [20, 20, 40, 30];
    if (i % 3 === 2) await copyFile(join(dir, `screenshots/action_${String(i - 1).padStart(3, "0")}.png`), join(dir, ref));
    else await writeFile(join(dir, ref), await renderBoxes(320, 240, box === undefined ? [] : [box], session * 1000 + i));
    const found = random() < 0.8;
    lines.push(
      JSON.stringify({
        action_id: `s${session}-action-${i}`,
        action_type: found ? "CLICK" : "FIND",
        start_time: 1700000000 + session * 3600 + i * 2.5,
        success: random() < 0.9,
        // Every tenth action lost its screenshot: the exporter skips it.
        screenshot_reference: i % 10 === 9 ? null : ref,
        match_summary: found
          ? { found: true, location: { x: bbox[0], y: bbox[1] }, template_size: { width: bbox[2], height: bbox[3] }, image_id: templates[(box?.category ?? 0) % templates.length], confidence: Math.round((0.7 + random() * 0.3) * 100) / 100 }
          : { found: false },
        clicked_location: found ? [Math.round(bbox[0] + bbox[2] / 2), Math.round(bbox[1] + bbox[3] / 2)] : null,
        active_states_before: random() < 0.5 ? ["Login"] : ["MainMenu"],
      }),
    );
  }
  await writeFile(join(dir, "records.jsonl"), lines.join("\n") + "\n");
  return dir;
}

/** Builds `runs/`, `runs-dataset/` (two export sessions appended) and `runs-prepared/`. */
export const runsStep: DemoStep = {
  title: "qontinui run records -> training dataset (two sessions, dedup, stable ids, split)",
  async run(ctx) {
    const out = join(ctx.root, "runs-dataset");
    for (const [session, templates] of [
      [1, TEMPLATES.slice(0, 3)],
      [2, TEMPLATES],
    ] as const) {
      const run = await writeRun(ctx.root, session, 30, templates);
      const service = new TrainingExportService({ outputDir: out, storageDir: run, mode: "incremental", batchSize: 10, ...(ctx.signal === undefined ? {} : { signal: ctx.signal }) });
      try {
        for await (const record of readActionRecords(join(run, "records.jsonl"))) await service.add(record);
        const totals = await service.complete();
        await service.exportToCoco();
        const s = service.summary();
        ctx.note(
          `runs-dataset/ session ${session}: ${totals.records_exported} records exported (${totals.new_images} new screenshots, ${totals.duplicate_images} repeats, ${totals.skipped_no_screenshot} without screenshot); dataset ${s.total_images} images, ${s.total_annotations} boxes, categories ${JSON.stringify(s.category_map)}`,
        );
      } finally {
        await service.close();
      }
      ctx.onProgress?.({ phase: "export run records", done: session, total: 2, unit: "sessions" });
    }
    const { report } = await splitCoco(join(out, "dataset.json"), { out: join(ctx.root, "runs-prepared"), ratios: "train=0.7,val=0.2,test=0.1", seed: 42, ...(ctx.signal === undefined ? {} : { signal: ctx.signal }) });
    ctx.note(`runs-prepared/: ${Object.values(report.files).join(", ")} from runs-dataset/dataset.json (${report.whole.samples} ${report.unit})`);
  },
};
