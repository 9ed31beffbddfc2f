/**
 * The `editors` bench's inputs, generated once under the bench work folder: a COCO file at
 * COCO-2017-train scale, a manifest-like JSONL with three broken lines, and a 1-line JSONL; each
 * big file also as a hard link that opens as text (the reference).
 */
import { existsSync } from "node:fs";
import { link, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeStreamed, type BenchContext } from "./harness.js";

const GENERATOR_VERSION = 1;
const BOXES_PER_IMAGE = 8;
/** A 1×1 PNG: the manifest rows' images exist, so the table shows thumbnails as for a real dataset. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/** COCO-2017-train-scale file: compact JSON on one line, images before annotations (as COCO ships it). */
async function generateCoco(path: string, images: number): Promise<number> {
  let id = 0;
  await writeStreamed(path, async (write) => {
    await write('{"info":{"description":"synthetic COCO-2017-train scale (trainset bench)","year":2017},"licenses":[{"id":1,"name":"CC-BY"}],"images":[');
    for (let i = 1; i <= images; i++) await write(`${i > 1 ? "," : ""}{"id":${i},"file_name":"${String(i).padStart(12, "0")}.jpg","width":640,"height":480,"license":1}`);
    await write('],"annotations":[');
    for (let i = 1; i <= images; i++) {
      for (let k = 0; k < BOXES_PER_IMAGE; k++) {
        id++;
        const [x, y, w, h] = [(k * 61) % 560, (k * 47) % 400, 40 + (id % 60), 30 + (id % 50)];
        await write(`${id > 1 ? "," : ""}{"id":${id},"image_id":${i},"category_id":${(id % 80) + 1},"bbox":[${x},${y},${w},${h}],"area":${w * h},"iscrowd":0,"segmentation":[[${x},${y},${x + w},${y},${x + w},${y + h},${x},${y + h}]],"score":${((id % 100) / 100).toFixed(2)},"source":"${id % 5 === 0 ? "user_click" : "template_matching"}"}`);
      }
    }
    await write('],"categories":[');
    for (let c = 1; c <= 80; c++) await write(`${c > 1 ? "," : ""}{"id":${c},"name":"class${c}","supercategory":"thing"}`);
    await write("]}\n");
  });
  return id;
}

/** Manifest-like JSONL (run-record `manifest.jsonl` fields); lines 17, n/2 and n are broken. */
async function generateJsonl(path: string, lines: number): Promise<void> {
  const broken = new Set([17, Math.floor(lines / 2), lines]);
  await writeStreamed(path, async (write) => {
    for (let i = 1; i <= lines; i++) {
      const id = i.toString(16).padStart(16, "0");
      const row = `{"id":"${id}","image":"images/${i % 16}.png","annotations":"annotations/${id}.json","action_id":"act-${i}","action_type":"${i % 3 === 0 ? "FIND" : "CLICK"}","timestamp":${1_700_000_000 + i / 4},"active_states":["main","${i % 2 === 0 ? "settings" : "search"}"],"source":"runner_execution","is_new":${i % 7 !== 0},"reviewed":false}`;
      await write(broken.has(i) ? `${row.slice(0, 60)}\n` : `${row}\n`);
    }
  });
}

/** Where the inputs are and how big they are. */
export interface EditorInputs {
  workspace: string;
  images: number;
  boxes: number;
  lines: number;
}

/** Generates (once) the workspace: each input as `*-viewer.*` (opens in our editor) and `*-text.*` (same inode, opens as text). */
export async function prepareEditorInputs(ctx: BenchContext): Promise<EditorInputs> {
  const images = ctx.quick ? 11_829 : 118_287;
  const lines = ctx.quick ? 100_000 : 1_000_000;
  const workspace = join(ctx.workDir, "editors", `workspace-v${GENERATOR_VERSION}-${images}-${lines}`);
  const marker = join(workspace, ".generated");
  if (!existsSync(marker)) {
    ctx.log(`generating COCO (${images} images) and JSONL (${lines} lines) under ${workspace} ...`);
    await rm(workspace, { recursive: true, force: true });
    await mkdir(join(workspace, "images"), { recursive: true });
    for (let i = 0; i < 16; i++) await writeFile(join(workspace, "images", `${i}.png`), PNG);
    await generateCoco(join(workspace, "coco-viewer.json"), images);
    await link(join(workspace, "coco-viewer.json"), join(workspace, "coco-text.json"));
    await generateJsonl(join(workspace, "lines-viewer.jsonl"), lines);
    await link(join(workspace, "lines-viewer.jsonl"), join(workspace, "lines-text.jsonl"));
    await writeFile(join(workspace, "small-viewer.jsonl"), '{"warm":"up"}\n');
    await writeFile(marker, "");
  }
  return { workspace, images, boxes: images * BOXES_PER_IMAGE, lines };
}

