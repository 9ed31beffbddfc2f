/** A synthetic qontinui run folder: screenshots (some byte-identical) and a records JSONL. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderBoxes } from "trainset";

/** A raw record as the runner writes it (fields optional like theirs). */
export type RawRecord = Record<string, unknown>;

/** Writes `count` distinct screenshots `screenshots/shot_<i>.png` (W×H) into `runDir`. */
export async function writeScreenshots(runDir: string, count: number, width = 160, height = 120, seed = 1): Promise<string[]> {
  await mkdir(join(runDir, "screenshots"), { recursive: true });
  const refs: string[] = [];
  for (let i = 0; i < count; i++) {
    const ref = `screenshots/shot_${seed}_${i}.png`;
    await writeFile(join(runDir, ref), await renderBoxes(width, height, [{ bbox: [10 + i, 10, 30, 20], category: i }], seed * 1000 + i));
    refs.push(ref);
  }
  return refs;
}

/** One record with a found match named `name` at (x, y) and a click at its centre. */
export function record(i: number, screenshot: string | null, name = "login_button", extra: RawRecord = {}): RawRecord {
  return {
    action_id: `action-${i}`,
    action_type: "CLICK",
    start_time: 1700000000 + i,
    success: true,
    screenshot_reference: screenshot,
    match_summary: { found: true, location: { x: 20, y: 30 }, template_size: { width: 40, height: 20 }, image_id: name, confidence: 0.9 },
    clicked_location: [40, 40],
    active_states_before: ["Main", "Login"],
    ...extra,
  };
}

/** Writes records as JSONL. */
export async function writeRecords(path: string, records: readonly RawRecord[]): Promise<void> {
  await writeFile(path, records.map((r) => JSON.stringify(r) + "\n").join(""));
}
