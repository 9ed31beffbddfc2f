/**
 * Bench `export-runs` (issue 7, part B): 10,000 qontinui run records with 50 % duplicate
 * screenshots (5,000 distinct 320×240 PNGs, each referenced twice under different names).
 *  1. Hashing: trainset's content ids (read + SHA-256, in process) over the 10,000 screenshot
 *     files vs `sha256sum` over the same 10,000 paths in the same run, in MB/s.
 *  2. A full export of the 10,000 records into a fresh folder (records/s).
 *  3. Appending one record to that 10,000-record dataset: a fresh exporter (cold: it reads the
 *     manifest once) and an open one (warm), vs re-exporting everything. The manifest's earlier
 *     bytes are checked unchanged and its growth is one line: no rewrite.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { contentId16, parseActionRecord, renderBoxes, TrainingDataExporter, type ActionExecutionRecord } from "trainset";
import { formatSeconds, runMeasured, type BenchEntry, type BenchRow } from "./harness.js";

const GENERATOR_VERSION = 1;

async function generate(dir: string, distinct: number): Promise<string[]> {
  const marker = join(dir, `generated-v${GENERATOR_VERSION}-${distinct}`);
  const refs: string[] = [];
  for (let i = 0; i < distinct; i++) refs.push(`screenshots/a_${i}.png`, `screenshots/b_${i}.png`);
  if (existsSync(marker)) return refs;
  await mkdir(join(dir, "screenshots"), { recursive: true });
  for (let i = 0; i < distinct; i++) {
    const png = await renderBoxes(320, 240, [{ bbox: [(i * 7) % 280, (i * 3) % 200, 40, 30], category: i }], i + 1);
    await writeFile(join(dir, `screenshots/a_${i}.png`), png);
    await writeFile(join(dir, `screenshots/b_${i}.png`), png);
  }
  await writeFile(marker, "");
  return refs;
}

function records(refs: readonly string[]): ActionExecutionRecord[] {
  return refs.map((ref, i) =>
    parseActionRecord({
      action_id: `action-${i}`,
      action_type: "CLICK",
      start_time: 1700000000 + i,
      success: i % 10 !== 0,
      screenshot_reference: ref,
      match_summary: { found: true, location: { x: (i * 7) % 280, y: (i * 3) % 200 }, template_size: { width: 40, height: 30 }, image_id: `element_${i % 20}`, confidence: 0.8 },
      clicked_location: [(i * 7) % 320, (i * 3) % 240],
      active_states_before: ["Main"],
    }),
  );
}

async function exportFresh(out: string, run: string, list: ActionExecutionRecord[], durable = true): Promise<number> {
  await rm(out, { recursive: true, force: true });
  const started = performance.now();
  const exporter = new TrainingDataExporter(out, { durable });
  await exporter.exportRecords(list, { storageDir: run });
  await exporter.close();
  return (performance.now() - started) / 1000;
}

/** The export-runs entry. */
export const exportRunsBench: BenchEntry = {
  name: "export-runs",
  issue: 7,
  async run(ctx): Promise<BenchRow[]> {
    const distinct = ctx.quick ? 1000 : 5000;
    const dir = join(ctx.workDir, "export-runs");
    const run = join(dir, "run");
    await mkdir(run, { recursive: true });
    const refs = await generate(run, distinct);
    const list = records(refs);
    let bytes = 0;
    for (const ref of refs) bytes += (await stat(join(run, ref))).size;
    const mb = bytes / 1e6;
    ctx.log(`${list.length} records, ${distinct} distinct screenshots (each twice), ${mb.toFixed(1)} MB of screenshots`);

    // 1. hashing throughput on the same files, warm cache for both (one untimed pass first).
    for (const ref of refs) await readFile(join(run, ref));
    let t = performance.now();
    const ids = new Set<string>();
    for (const ref of refs) ids.add(contentId16(await readFile(join(run, ref))));
    const oursHash = (performance.now() - t) / 1000;
    if (ids.size !== distinct) throw new Error(`expected ${distinct} distinct ids, got ${ids.size}`);
    const peer = await runMeasured("sha256sum", refs, { cwd: run });
    const peerIds = new Set(peer.stdout.trim().split("\n").map((l) => l.slice(0, 16)));
    const agree = [...ids].every((id) => peerIds.has(id));
    if (!agree) throw new Error("trainset's content ids differ from sha256sum's");
    ctx.log(`hash: trainset ${formatSeconds(oursHash)} (${(mb / oursHash).toFixed(0)} MB/s), sha256sum ${formatSeconds(peer.seconds)} (${(mb / peer.seconds).toFixed(0)} MB/s); ids agree`);

    // 2. full export.
    const out = join(dir, "dataset");
    const full = await exportFresh(out, run, list);
    ctx.log(`full export: ${formatSeconds(full)} (${(list.length / full).toFixed(0)} records/s)`);
    const fast = await exportFresh(join(dir, "dataset-no-fsync"), run, list, false);
    await rm(join(dir, "dataset-no-fsync"), { recursive: true, force: true });
    ctx.log(`full export without fsync: ${formatSeconds(fast)} (${(list.length / fast).toFixed(0)} records/s)`);

    // 3. append one record (a new screenshot) to the 10,000-record dataset.
    const extra = await renderBoxes(320, 240, [{ bbox: [5, 5, 30, 30], category: 1 }], 999_999);
    await writeFile(join(run, "screenshots/extra.png"), extra);
    const one = (i: number): ActionExecutionRecord[] => records([`screenshots/extra.png`]).map((r) => ({ ...r, action_id: `appended-${i}` }));
    const manifest = join(out, "manifest.jsonl");
    const before = await readFile(manifest);
    t = performance.now();
    const cold = new TrainingDataExporter(out);
    await cold.exportRecords(one(0), { storageDir: run });
    const coldSeconds = (performance.now() - t) / 1000;
    const warmTimes: number[] = [];
    for (let i = 1; i <= 20; i++) {
      t = performance.now();
      await cold.exportRecords(one(i), { storageDir: run });
      warmTimes.push((performance.now() - t) / 1000);
    }
    await cold.close();
    const after = await readFile(manifest);
    if (!after.subarray(0, before.length).equals(before)) throw new Error("the manifest's earlier bytes changed");
    const added = after.subarray(before.length).toString("utf8").trimEnd().split("\n").length;
    if (added !== 21) throw new Error(`expected 21 appended lines, got ${added}`);
    warmTimes.sort((a, b) => a - b);
    const warm = warmTimes[Math.floor(warmTimes.length / 2)] ?? Number.NaN;
    ctx.log(`append one record: cold ${formatSeconds(coldSeconds)} (reads the manifest once), warm ${(warm * 1000).toFixed(2)} ms (median of 20); manifest ${before.length} -> ${after.length} bytes, earlier bytes unchanged (sha256 ${createHash("sha256").update(before).digest("hex").slice(0, 12)})`);

    return [
      {
        case: `content-id hashing, ${list.length} screenshots (${mb.toFixed(0)} MB)`,
        trainset: `${(mb / oursHash).toFixed(0)} MB/s`,
        peer: `sha256sum ${(mb / peer.seconds).toFixed(0)} MB/s`,
        ratio: peer.seconds / oursHash,
        goal: "report (same files, same run)",
        met: undefined,
        notes: "trainset reads + hashes in process; ids agree with sha256sum",
      },
      {
        case: `export ${list.length} run records, 50 % duplicate screenshots`,
        trainset: formatSeconds(full),
        peer: "-",
        ratio: undefined,
        goal: "report",
        met: undefined,
        notes: `${(list.length / full).toFixed(0)} records/s with fsync; --no-fsync ${formatSeconds(fast)} (${(list.length / fast).toFixed(0)} records/s); ${distinct} images stored`,
      },
      {
        case: `append 1 record to a ${list.length}-record dataset`,
        trainset: `warm ${(warm * 1000).toFixed(2)} ms, cold ${formatSeconds(coldSeconds)}`,
        peer: `re-export ${formatSeconds(full)}`,
        ratio: full / warm,
        goal: "O(1): no full rewrite",
        met: after.subarray(0, before.length).equals(before) && warm < full / 100,
        notes: "manifest earlier bytes unchanged, +1 line per record",
      },
    ];
  },
};
