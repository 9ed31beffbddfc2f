/**
 * Bench `historical` (issue 5): winner/loser extraction on a generated project of 6,000 groups
 * (~17,000 RAW files, the size of seed 003's "mojo-1") and one of 100,000 groups. trainset runs as
 * its CLI command in a child process (so peak RSS is measured); the peer is seed 003's own
 * algorithm (rglob, group, the quadratic find_winners, create_training_entries) in
 * bench/peers/historical_seed.py, on the 6,000-group project.
 *
 * Run as a module by the bench runner; run as a script (`node --conditions=trainset-source
 * --import tsx bench/historical.ts run <historical args>`) it is the trainset side.
 */
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatSeconds, median, runMeasured, SYSTEM_PYTHON, type BenchEntry, type BenchRow, type MeasuredRun } from "./harness.js";

const GENERATOR_VERSION = 1;
const REPEATS = 3;

/** Deterministic PRNG (mulberry32), so the tree is the same on every machine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function timestampOf(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

interface GeneratedProject {
  raw: string;
  final: string;
  groups: number;
  rawFiles: number;
  finalFiles: number;
}

/**
 * Writes a project of `groups` groups: 3% single images, 27% two stages, 57% three (with
 * `_upscaled`/`_enhanced` suffixes), 13% four (with stage 1.5); 8% rejected, 2% multi-select,
 * 30% of winners below the top stage; half of the kept copies cropped (smaller and an hour newer).
 * RAW is nested in batches of 500 groups with every tenth group at the root; FINAL is sorted into
 * seven category folders. Tiny valid PNGs (8×8 RAW, 7×6 cropped).
 */
async function generateProject(dir: string, groups: number): Promise<GeneratedProject> {
  const marker = join(dir, "complete.json");
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, "utf8")) as GeneratedProject;
  await rm(dir, { recursive: true, force: true });
  const { default: sharp } = await import("sharp");
  const png = (width: number, height: number): Promise<Buffer> =>
    sharp({ create: { width, height, channels: 3, background: { r: 90, g: 120, b: 150 } } }).png().toBuffer();
  const full = await png(8, 8);
  const cropped = await png(7, 6);
  const raw = join(dir, "raw");
  const final = join(dir, "final");
  const random = mulberry32(groups);
  const base = Date.UTC(2025, 6, 8, 0, 0, 0) / 1000;
  const rawTime = base + 86400 * 30;
  const made = new Set<string>();
  const ensure = (d: string): void => {
    if (!made.has(d)) {
      mkdirSync(d, { recursive: true });
      made.add(d);
    }
  };
  let rawFiles = 0;
  let finalFiles = 0;
  for (let g = 0; g < groups; g++) {
    const ts = timestampOf(base + g * 13);
    const r = random();
    const stages = r < 0.03 ? ["stage2"] : r < 0.3 ? ["stage1", "stage2"] : r < 0.87 ? ["stage1", "stage2_upscaled", "stage3_enhanced"] : ["stage1", "stage1.5", "stage2", "stage3"];
    const rawDir = g % 10 === 0 ? raw : join(raw, `batch_${String(Math.floor(g / 500)).padStart(3, "0")}`);
    ensure(rawDir);
    for (const stage of stages) {
      const path = join(rawDir, `${ts}_${stage}.png`);
      writeFileSync(path, full);
      utimesSync(path, rawTime, rawTime);
      rawFiles++;
    }
    const decision = random();
    if (stages.length > 1 && decision < 0.08) continue; // rejected
    const top = stages.length - 1;
    const kept = new Set<number>([random() < 0.7 ? top : Math.floor(random() * top)]);
    if (stages.length > 2 && decision > 0.98) kept.add(kept.has(top) ? 0 : top); // multi-select
    const finalDir = join(final, "selected", `cat_${g % 7}`);
    ensure(finalDir);
    for (const k of kept) {
      const path = join(finalDir, `${ts}_${stages[k]}.png`);
      const crop = random() < 0.5;
      writeFileSync(path, crop ? cropped : full);
      const t = crop ? rawTime + 3600 : rawTime;
      utimesSync(path, t, t);
      finalFiles++;
    }
  }
  const project: GeneratedProject = { raw, final, groups, rawFiles, finalFiles };
  writeFileSync(marker, JSON.stringify(project) + "\n");
  return project;
}

interface Report {
  total: { groups_with_winner: number; decisions: number; groups: number; raw_images: number; seconds: number };
}

function readReport(path: string): Report {
  return JSON.parse(readFileSync(path, "utf8")) as Report;
}

export const historicalBench: BenchEntry = {
  name: "historical",
  issue: 5,
  async run(ctx): Promise<BenchRow[]> {
    const small = ctx.quick ? 1500 : 6000;
    const large = ctx.quick ? 20000 : 100000;
    const root = fileURLToPath(new URL("..", import.meta.url));
    const script = fileURLToPath(import.meta.url);
    const peer = fileURLToPath(new URL("./peers/historical_seed.py", import.meta.url));
    const projects: GeneratedProject[] = [];
    for (const groups of [small, large]) {
      const dir = join(ctx.workDir, `historical-v${GENERATOR_VERSION}-${groups}`);
      if (!existsSync(join(dir, "complete.json"))) ctx.log(`generating ${dir} ...`);
      projects.push(await generateProject(dir, groups));
    }
    const [smallProject, largeProject] = projects as [GeneratedProject, GeneratedProject];
    const outDir = join(ctx.workDir, "historical-out");
    mkdirSync(outDir, { recursive: true });
    const ours = async (p: GeneratedProject): Promise<{ run: MeasuredRun; report: Report }> => {
      const report = join(outDir, `report-${p.groups}.json`);
      const args = ["--raw", p.raw, "--final", p.final, "--project", `bench-${p.groups}`, "--output", join(outDir, `historical-${p.groups}.jsonl`)];
      args.push("--pairs", join(outDir, `pairs-${p.groups}.jsonl`), "--report", report, "--quiet");
      const run = await runMeasured(process.execPath, ["--conditions=trainset-source", "--import", "tsx", script, "run", ...args], { cwd: root });
      return { run, report: readReport(report) };
    };

    await ours(smallProject); // warm-up: tsx's transform cache and the page cache, for both sides
    const smallRuns: Array<{ run: MeasuredRun; report: Report }> = [];
    for (let r = 0; r < REPEATS; r++) smallRuns.push(await ours(smallProject));
    const seedOut = join(outDir, `seed-${smallProject.groups}.jsonl`);
    ctx.log(`seed algorithm on ${smallProject.groups} groups (quadratic; this takes a while) ...`);
    const seed = await runMeasured(SYSTEM_PYTHON, [peer, "--raw", smallProject.raw, "--final", smallProject.final, "--project", "seed", "--output", seedOut], { cwd: root });
    const seedCounts = JSON.parse(seed.stdout.trim().split("\n").pop() ?? "{}") as { entries?: number; groups?: number; raw_images?: number };
    const largeRuns: Array<{ run: MeasuredRun; report: Report }> = [];
    for (let r = 0; r < REPEATS; r++) largeRuns.push(await ours(largeProject));

    const first = smallRuns[0]?.report.total;
    // The seed writes one entry per group with a FINAL file and alternatives: our groups_with_winner.
    if (first === undefined || seedCounts.entries !== first.groups_with_winner || seedCounts.groups !== first.groups) {
      throw new Error(`bench historical: the sides disagree: seed ${seed.stdout.trim()}, trainset ${JSON.stringify(first)}`);
    }
    const t6 = median(smallRuns.map((r) => r.run.seconds));
    const t100 = median(largeRuns.map((r) => r.run.seconds));
    const in6 = median(smallRuns.map((r) => r.report.total.seconds));
    const in100 = median(largeRuns.map((r) => r.report.total.seconds));
    const mb6 = median(smallRuns.map((r) => r.run.maxRssMb));
    const mb100 = median(largeRuns.map((r) => r.run.maxRssMb));
    const speedup = seed.seconds / t6;
    const growth = t100 / t6;
    const groupsRatio = largeProject.groups / smallProject.groups;
    ctx.log(`trainset ${smallProject.groups} groups: ${formatSeconds(t6)} process (${formatSeconds(in6)} in extraction), ${mb6.toFixed(0)} MB peak`);
    ctx.log(`seed ${smallProject.groups} groups: ${formatSeconds(seed.seconds)}, ${seed.maxRssMb.toFixed(0)} MB peak`);
    ctx.log(`trainset ${largeProject.groups} groups: ${formatSeconds(t100)} process (${formatSeconds(in100)} in extraction), ${mb100.toFixed(0)} MB peak`);
    return [
      {
        case: `historical extract, ${smallProject.groups} groups (${smallProject.rawFiles} RAW + ${smallProject.finalFiles} FINAL files)`,
        trainset: `${formatSeconds(t6)}, ${mb6.toFixed(0)} MB peak`,
        peer: `${formatSeconds(seed.seconds)}, ${seed.maxRssMb.toFixed(0)} MB peak (seed 003 algorithm)`,
        ratio: speedup,
        goal: ">= 50x faster than the seed's algorithm",
        met: speedup >= 50,
        notes: `median of ${REPEATS}, whole process incl. Node/tsx startup (${formatSeconds(in6)} inside the extraction); trainset also reads headers/mtimes of every winner for crop detection and writes decisions + pairs + report; both found ${first.groups_with_winner} groups with a winner`,
      },
      {
        case: `historical extract, ${largeProject.groups} groups (${largeProject.rawFiles} RAW + ${largeProject.finalFiles} FINAL files)`,
        trainset: `${formatSeconds(t100)}, ${mb100.toFixed(0)} MB peak`,
        peer: `trainset on ${smallProject.groups} groups: ${formatSeconds(t6)}, ${mb6.toFixed(0)} MB peak`,
        ratio: growth,
        goal: `linear: <= 20x the ${smallProject.groups}-group time for ${groupsRatio.toFixed(1)}x the groups`,
        met: growth <= 20,
        notes: `median of ${REPEATS}; inside the extraction ${formatSeconds(in100)} vs ${formatSeconds(in6)} (${(in100 / in6).toFixed(1)}x); peak RSS grew ${(mb100 / mb6).toFixed(1)}x for ${groupsRatio.toFixed(1)}x the groups`,
      },
    ];
  },
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === "run") {
  const { historicalCommand } = await import("../kernel/src/cli/commands/historical.js");
  const code = await historicalCommand.run(process.argv.slice(3), {
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: false,
    cwd: process.cwd(),
    env: process.env,
    signal: new AbortController().signal,
  });
  process.exitCode = code;
}
