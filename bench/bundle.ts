/**
 * Bench `bundle` (issue 16): bundle a 2 GB export (16,384 random 128 KiB frames, an annotation
 * table and its video library; `--quick`: 256 MB) with `trainset bundle` and, in the same run
 * on the same folder, with the reference pipeline `tar -c | age -r`. Reports throughput (MB/s of
 * export data) and peak memory of both; the goal is at least 80 % of the pipeline's throughput
 * with bounded memory. The runs alternate (median of 5 each), so page-cache effects and the load of
 * a shared machine hit both alike, and each starts after a `sync` and a read of its input (untimed),
 * so no run pays for the write-back of the one before and every run finds its input in the page cache. trainset, like the pipeline, leaves the output to the page cache by
 * default; a second pair of runs compares the durable modes: `trainset bundle --sync` against the
 * pipeline followed by `sync FILE`. A third pair opens trainset's bundle: `unbundle` (decrypt,
 * extract into a temp folder, verify every file's SHA-256, rename) against `age -d | tar -x`.
 * trainset runs as compiled JavaScript (esbuild, as the built package runs) in its own process:
 * `createBundle` with all its checks, node start included, without the TypeScript loader and the
 * unrelated CLI command modules whose start-up would only add a constant.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateKeyFile, sha256Hex, writeFrameTable, writeVideoLibrary, type FrameAnnotationRow } from "trainset";
import { build } from "esbuild";
import { median, runMeasured, type BenchEntry, type BenchRow, type MeasuredRun } from "./harness.js";

const GENERATOR_VERSION = 1;
const FRAME_BYTES = 128 * 1024;

async function generate(dir: string, frames: number): Promise<{ exportDir: string; library: string }> {
  const exportDir = join(dir, "export");
  const library = join(dir, "library.json");
  const marker = join(dir, `generated-v${GENERATOR_VERSION}-${frames}`);
  if (existsSync(marker)) return { exportDir, library };
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(exportDir, "frames", "video_1"), { recursive: true });
  const processed = randomBytes(4096);
  await writeFile(join(dir, "processed.mp4"), processed);
  await writeVideoLibrary(library, {
    library_version: 1,
    videos: [{ id: 1, uuid: "4b1f0c1e-0000-4000-8000-000000000001", video_hash: "bench", processed_video_path: "processed.mp4", processed_file_sha256: sha256Hex(processed), fps: 25, frame_count: frames, width: 640, height: 480, examination_id: 1, state: { anonymized: true, anonymization_validated: true, processing_error: false, ready_for_export: true }, export_segments_by_video: false }],
    labels: [{ id: 1, name: "polyp" }],
    information_sources: [{ id: 1, name: "manual_annotation" }],
    segments: [],
    annotations: [],
  });
  const rows: FrameAnnotationRow[] = [];
  for (let i = 0; i < frames; i++) {
    const rel = `video_1/frame_${String(i).padStart(7, "0")}.jpg`;
    await writeFile(join(exportDir, "frames", rel), randomBytes(FRAME_BYTES));
    rows.push({ annotation_id: i + 1, video_id: 1, video_hash: "bench", frame_id: 1_000_000_000 + i, frame_number: i, frame_relative_path: rel, frame_timestamp: i / 25, label_id: 1, label_name: "polyp", value: i % 2 === 0, float_value: null, annotator: "bench", information_source_id: 1, information_source_name: "manual_annotation", model_meta_id: null, date_created: "2026-01-01T00:00:00Z", date_modified: "2026-01-01T00:00:00Z" });
  }
  await writeFrameTable(join(exportDir, "annotations.csv"), rows);
  await writeFile(marker, "");
  return { exportDir, library };
}

/** Compiles a one-shot runner of createBundle, or of unbundle, into `file` (node_modules stay external). */
async function compileRunner(repo: string, file: string, action: "bundle" | "unbundle"): Promise<void> {
  const contents =
    action === "bundle"
      ? `import { createBundle } from "./kernel/src/bundle/create-bundle.ts";
import { FileVideoSource } from "./kernel/src/export/video-source.ts";
const [dir, out, recipient, library, durable] = process.argv.slice(2);
await createBundle(dir, out, { sealing: { recipients: [recipient] }, source: await FileVideoSource.open(library), durable: durable === "durable" });`
      : `import { unbundle } from "./kernel/src/bundle/open-bundle.ts";
import { readIdentityFile } from "./kernel/src/bundle/keys.ts";
const [bundle, out, key] = process.argv.slice(2);
await unbundle(bundle, out, { opening: { identities: await readIdentityFile(key) } });`;
  await build({ stdin: { contents, resolveDir: repo, loader: "ts", sourcefile: `${action}-runner.ts` }, bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile: file, logLevel: "error" });
}

/**
 * Flushes earlier runs' output to disk and reads `paths` whole (untimed), so every timed run finds
 * its input in the page cache. Without it the machine's proactive reclaim (DAMON pageout here)
 * drops a varying quarter of a 2 GB export between runs, and disk reads decide the figures.
 */
function settleAndWarm(paths: readonly string[]): void {
  execFileSync("sync");
  execFileSync("bash", ["-c", 'find "$@" -type f -print0 | xargs -0 cat > /dev/null', "warm", ...paths]);
}

/** Median time and largest RSS of a side's runs (the machine may be shared: one lucky run proves little). */
function summary(runs: MeasuredRun[]): { seconds: number; maxRssMb: number } {
  return { seconds: median(runs.map((r) => r.seconds)), maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)) };
}

/** The bundle entry. */
export const bundleBench: BenchEntry = {
  name: "bundle",
  issue: 16,
  async run(ctx) {
    const frames = ctx.quick ? 2048 : 16384;
    const root = join(ctx.workDir, "bundle");
    ctx.log(`generating ${(frames * FRAME_BYTES) / 2 ** 20} MiB export (cached) ...`);
    const { exportDir, library } = await generate(join(root, `export-${frames}`), frames);
    const keyFile = join(root, "key.txt");
    const recipient = existsSync(keyFile) ? execFileSync("age-keygen", ["-y", keyFile], { encoding: "utf8" }).trim() : (await generateKeyFile(keyFile)).recipient;
    const ours = join(root, "trainset.tar.age");
    const theirs = join(root, "pipeline.tar.age");
    const repo = join(import.meta.dirname, "..");
    // toolVersion() reads ../package.json next to the compiled file, as in the built package.
    const runner = join(root, "runner", "bundle-runner.mjs");
    await compileRunner(repo, runner, "bundle");
    const unbundleRunner = join(root, "runner", "unbundle-runner.mjs");
    await compileRunner(repo, unbundleRunner, "unbundle");
    await writeFile(join(root, "package.json"), await readFile(join(repo, "kernel", "package.json")));
    const repeats = 5;
    /** Alternating runs of both sides (durable: trainset --sync vs the pipeline + sync FILE). */
    const measure = async (durable: boolean): Promise<{ ours: MeasuredRun[]; theirs: MeasuredRun[] }> => {
      const runs = { ours: [] as MeasuredRun[], theirs: [] as MeasuredRun[] };
      const pipeline = `set -o pipefail; tar -c -C "${root}/export-${frames}" export | age -r ${recipient} > "${theirs}"${durable ? ` && sync "${theirs}"` : ""}`;
      for (let i = 0; i < repeats; i++) {
        await rm(theirs, { force: true });
        settleAndWarm([exportDir, library]);
        runs.theirs.push(await runMeasured("bash", ["-c", pipeline]));
        await rm(ours, { force: true });
        settleAndWarm([exportDir, library]);
        runs.ours.push(await runMeasured(process.execPath, [runner, exportDir, ours, recipient, library, durable ? "durable" : "cached"], { cwd: repo }));
        ctx.log(`${durable ? "durable " : ""}run ${i + 1}: trainset ${runs.ours.at(-1)?.seconds.toFixed(2)} s, tar | age ${runs.theirs.at(-1)?.seconds.toFixed(2)} s`);
      }
      return runs;
    };
    const { ours: oursRuns, theirs: theirsRuns } = await measure(false);
    const durable = await measure(true);
    /** Alternating runs of opening trainset's bundle: trainset unbundle (verifies every file) vs age -d | tar -x. */
    const opened = { ours: [] as MeasuredRun[], theirs: [] as MeasuredRun[] };
    const oursOut = join(root, "unbundled-trainset");
    const theirsOut = join(root, "unbundled-pipeline");
    for (let i = 0; i < repeats; i++) {
      await rm(theirsOut, { recursive: true, force: true });
      await mkdir(theirsOut);
      settleAndWarm([ours]);
      opened.theirs.push(await runMeasured("bash", ["-c", `set -o pipefail; age -d -i "${keyFile}" "${ours}" | tar -x -C "${theirsOut}"`]));
      await rm(oursOut, { recursive: true, force: true });
      settleAndWarm([ours]);
      opened.ours.push(await runMeasured(process.execPath, [unbundleRunner, ours, oursOut, keyFile], { cwd: repo }));
      ctx.log(`unbundle run ${i + 1}: trainset ${opened.ours.at(-1)?.seconds.toFixed(2)} s, age -d | tar -x ${opened.theirs.at(-1)?.seconds.toFixed(2)} s`);
    }
    await rm(oursOut, { recursive: true, force: true });
    await rm(theirsOut, { recursive: true, force: true });
    // The bundle must open with the reference CLI: decrypt and list it.
    const listed = execFileSync("bash", ["-c", `set -o pipefail; age -d -i "${keyFile}" "${ours}" | tar -t | wc -l`], { encoding: "utf8" }).trim();
    const mb = (frames * FRAME_BYTES) / 1e6;
    const o = summary(oursRuns);
    const t = summary(theirsRuns);
    const ratio = t.seconds / o.seconds;
    const od = summary(durable.ours);
    const td = summary(durable.theirs);
    const sizes = `${((await stat(ours)).size / 1e6).toFixed(0)} MB vs ${((await stat(theirs)).size / 1e6).toFixed(0)} MB`;
    const rows: BenchRow[] = [
      {
        case: `bundle ${mb.toFixed(0)} MB export (${frames} files) to tar.age`,
        trainset: `${(mb / o.seconds).toFixed(0)} MB/s (${o.seconds.toFixed(2)} s)`,
        peer: `tar -c | age -r: ${(mb / t.seconds).toFixed(0)} MB/s (${t.seconds.toFixed(2)} s)`,
        ratio,
        goal: ">= 0.8 of the pipeline's throughput",
        met: ratio >= 0.8,
        notes: `median of ${repeats} alternating runs (trainset ${oursRuns.map((r) => r.seconds.toFixed(1)).join("/")} s, pipeline ${theirsRuns.map((r) => r.seconds.toFixed(1)).join("/")} s); both timed as whole child processes; trainset includes check-export, media checks, SHA-256 of every file, manifest, node start; output ${sizes}; age -d | tar -t lists ${listed} entries`,
      },
      {
        case: `bundle ${mb.toFixed(0)} MB, durable (on disk when it returns)`,
        trainset: `${(mb / od.seconds).toFixed(0)} MB/s (${od.seconds.toFixed(2)} s, --sync)`,
        peer: `tar -c | age -r && sync FILE: ${(mb / td.seconds).toFixed(0)} MB/s (${td.seconds.toFixed(2)} s)`,
        ratio: td.seconds / od.seconds,
        goal: "(informational: the disk's write speed bounds both)",
        met: undefined,
        notes: `median of ${repeats} alternating runs (trainset ${durable.ours.map((r) => r.seconds.toFixed(1)).join("/")} s, pipeline ${durable.theirs.map((r) => r.seconds.toFixed(1)).join("/")} s)`,
      },
      {
        case: `unbundle ${mb.toFixed(0)} MB (${frames} files), verified against the manifest`,
        trainset: `${(mb / summary(opened.ours).seconds).toFixed(0)} MB/s (${summary(opened.ours).seconds.toFixed(2)} s)`,
        peer: `age -d | tar -x: ${(mb / summary(opened.theirs).seconds).toFixed(0)} MB/s (${summary(opened.theirs).seconds.toFixed(2)} s)`,
        ratio: summary(opened.theirs).seconds / summary(opened.ours).seconds,
        goal: "(informational: the issue names no figure)",
        met: undefined,
        notes: `median of ${repeats} alternating runs (trainset ${opened.ours.map((r) => r.seconds.toFixed(1)).join("/")} s, pipeline ${opened.theirs.map((r) => r.seconds.toFixed(1)).join("/")} s); trainset also checks every file's SHA-256 and extracts into a temp folder renamed at the end; peak RSS ${summary(opened.ours).maxRssMb.toFixed(0)} MB`,
      },
      {
        case: "bundle peak memory (RSS)",
        trainset: `${Math.max(o.maxRssMb, od.maxRssMb).toFixed(0)} MB`,
        peer: `${t.maxRssMb.toFixed(0)} MB (bash/tar/age, largest process)`,
        ratio: undefined,
        goal: "bounded: independent of export size (< 256 MB)",
        met: Math.max(o.maxRssMb, od.maxRssMb) < 256,
      },
    ];
    await rm(ours, { force: true });
    await rm(theirs, { force: true });
    return rows;
  },
};
