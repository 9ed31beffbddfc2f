/**
 * Bench `historical` (issue 5): winner/loser extraction on a generated project of 6,000 groups
 * (~17,000 RAW files, the size of seed 003's "mojo-1") and one of 100,000 groups. trainset runs as
 * its CLI command in a child process (so peak RSS is measured); the peer is seed 003's own
 * algorithm (rglob, group, the quadratic find_winners, create_training_entries) in
 * bench/peers/historical_seed.py, on the 6,000-group project.
 *
 * The trainset side is the `historical` CLI command compiled into one JS file with esbuild (what
 * tsx does on every start, done once), so the timing is the command as shipped, not the TypeScript
 * loader; without esbuild it falls back to tsx. Both sides write one JSONL file.
 */
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatSeconds, median, runMeasured, SYSTEM_PYTHON, type BenchEntry, type BenchRow, type MeasuredRun } from "./harness.js";
import { seededRandom } from "trainset";

const GENERATOR_VERSION = 1;
const REPEATS = 3;

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
  const random = seededRandom(groups);
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

/** Compiles the CLI command into `<workDir>/historical-cli.mjs`; returns the node arguments to run it. */
async function compileCli(workDir: string, root: string): Promise<string[]> {
  const outfile = join(workDir, "historical-cli.mjs");
  const entry = [
    'import { historicalCommand } from "./kernel/src/cli/commands/historical.ts";',
    "const io = { stdout: process.stdout, stderr: process.stderr, interactive: false, cwd: process.cwd(), env: process.env, signal: new AbortController().signal };",
    "process.exitCode = await historicalCommand.run(process.argv.slice(2), io);",
  ].join("\n");
  try {
    const esbuild = await import("esbuild");
    await esbuild.build({
      stdin: { contents: entry, resolveDir: root, sourcefile: "historical-cli.ts", loader: "ts" },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      conditions: ["trainset-source"],
      external: ["sharp"],
      logLevel: "error",
    });
    return [outfile];
  } catch {
    return ["--conditions=trainset-source", "--import", "tsx", fileURLToPath(import.meta.url), "run"];
  }
}

interface Report {
  total: { groups_with_winner: number; decisions: number; groups: number; raw_images: number; seconds: number };
}

export const historicalBench: BenchEntry = {
  name: "historical",
  issue: 5,
  async run(ctx): Promise<BenchRow[]> {
    const small = ctx.quick ? 1500 : 6000;
    const large = ctx.quick ? 20000 : 100000;
    const root = fileURLToPath(new URL("..", import.meta.url));
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
    const cli = await compileCli(ctx.workDir, root);
    ctx.log(`trainset side: node ${cli.map((a) => a.replace(root, "")).join(" ")}`);
    const ours = async (p: GeneratedProject, extra: string[] = []): Promise<{ run: MeasuredRun; report: Report }> => {
      const args = ["--raw", p.raw, "--final", p.final, "--project", `bench-${p.groups}`, "--output", join(outDir, `historical-${p.groups}.jsonl`), "--json", ...extra];
      const run = await runMeasured(process.execPath, [...cli, ...args], { cwd: root });
      return { run, report: JSON.parse(run.stdout) as Report };
    };
    const repeat = async (p: GeneratedProject, extra: string[] = []): Promise<Array<{ run: MeasuredRun; report: Report }>> => {
      const runs = [];
      for (let r = 0; r < REPEATS; r++) runs.push(await ours(p, extra));
      return runs;
    };

    await ours(smallProject); // warm-up: the page cache (and tsx's transform cache in the fallback)
    const smallRuns = await repeat(smallProject);
    // Like for like: the seed's algorithm opens no file, so neither does trainset with --no-crop.
    const selectionRuns = await repeat(smallProject, ["--no-crop"]);
    const seedOut = join(outDir, `seed-${smallProject.groups}.jsonl`);
    ctx.log(`seed algorithm on ${smallProject.groups} groups (quadratic; this takes a while) ...`);
    const seed = await runMeasured(SYSTEM_PYTHON, [peer, "--raw", smallProject.raw, "--final", smallProject.final, "--project", "seed", "--output", seedOut], { cwd: root });
    const seedCounts = JSON.parse(seed.stdout.trim().split("\n").pop() ?? "{}") as { entries?: number; groups?: number; raw_images?: number };
    const largeRuns = await repeat(largeProject);

    const first = smallRuns[0]?.report.total;
    // The seed writes one entry per group with a FINAL file and alternatives: our groups_with_winner.
    if (first === undefined || seedCounts.entries !== first.groups_with_winner || seedCounts.groups !== first.groups) {
      throw new Error(`bench historical: the sides disagree: seed ${seed.stdout.trim()}, trainset ${JSON.stringify(first)}`);
    }
    const stats = (runs: Array<{ run: MeasuredRun; report: Report }>): { wall: number; inside: number; mb: number } => ({
      wall: median(runs.map((r) => r.run.seconds)),
      inside: median(runs.map((r) => r.report.total.seconds)),
      mb: median(runs.map((r) => r.run.maxRssMb)),
    });
    const full6 = stats(smallRuns);
    const select6 = stats(selectionRuns);
    const full100 = stats(largeRuns);
    const growth = full100.wall / full6.wall;
    const groupsRatio = largeProject.groups / smallProject.groups;
    const describe = (s: { wall: number; inside: number; mb: number }): string => `${formatSeconds(s.wall)} (${formatSeconds(s.inside)} extracting), ${s.mb.toFixed(0)} MB peak`;
    ctx.log(`trainset ${smallProject.groups} groups, crop detection: ${describe(full6)}`);
    ctx.log(`trainset ${smallProject.groups} groups, --no-crop: ${describe(select6)}`);
    ctx.log(`seed ${smallProject.groups} groups: ${formatSeconds(seed.seconds)}, ${seed.maxRssMb.toFixed(0)} MB peak`);
    ctx.log(`trainset ${largeProject.groups} groups, crop detection: ${describe(full100)}`);
    const files = (p: GeneratedProject): string => `${p.groups} groups (${p.rawFiles} RAW + ${p.finalFiles} FINAL files)`;
    const peer6 = `${formatSeconds(seed.seconds)}, ${seed.maxRssMb.toFixed(0)} MB peak (seed 003 algorithm)`;
    const same = `median of ${REPEATS}, whole process incl. Node startup; both write one JSONL and found ${first.groups_with_winner} groups with a winner`;
    // The seed's cost is quadratic, so its ratio is only judged at the size the goal names.
    const judge = (ratio: number): boolean | undefined => (ctx.quick ? undefined : ratio >= 50);
    return [
      {
        case: `historical extract, ${files(smallProject)}, selection only (--no-crop: the seed's work)`,
        trainset: describe(select6),
        peer: peer6,
        ratio: seed.seconds / select6.wall,
        goal: ">= 50x faster than the seed's algorithm (at 6,000 groups)",
        met: judge(seed.seconds / select6.wall),
        notes: same,
      },
      {
        case: `historical extract, ${files(smallProject)}, with crop detection (default)`,
        trainset: describe(full6),
        peer: peer6,
        ratio: seed.seconds / full6.wall,
        goal: ">= 50x faster than the seed's algorithm (at 6,000 groups)",
        met: judge(seed.seconds / full6.wall),
        notes: `${same}; trainset also opens every winner's RAW and FINAL file (mtime + header), ${2 * first.decisions} files, which the seed never does`,
      },
      {
        case: `historical extract, ${files(largeProject)}, with crop detection`,
        trainset: describe(full100),
        peer: `trainset on ${smallProject.groups} groups: ${describe(full6)}`,
        ratio: growth,
        goal: `linear: <= 20x the ${smallProject.groups}-group time for ${groupsRatio.toFixed(1)}x the groups`,
        met: growth <= 20,
        notes: `median of ${REPEATS}; inside the extraction ${(full100.inside / full6.inside).toFixed(1)}x; peak RSS grew ${(full100.mb / full6.mb).toFixed(1)}x for ${groupsRatio.toFixed(1)}x the groups`,
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
