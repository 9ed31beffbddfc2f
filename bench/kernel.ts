/**
 * Issue 4: the TypeScript Jupyter kernel against Debian's IPython kernel (and stock tslab when
 * installed), all driven by the same python jupyter_client script: time to the first
 * kernel_info_reply, round trip of a trivial cell, and of a cell that imports `trainset` and
 * type-checks a call into it.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildKernelSpec } from "../kernel/src/jupyter/kernel-spec.js";
import { formatSeconds, median, SYSTEM_PYTHON, type BenchContext, type BenchEntry, type BenchRow } from "./harness.js";

interface KernelTimings {
  start_s: number;
  trivial_s: number[];
  /** The trivial cell with a different number each run. */
  varying_s: number[];
  library_s: number[];
}

const TSLAB_VERSION = "1.0.22";
const CLIENT = join(import.meta.dirname, "peers", "kernel_roundtrip.py");

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function drive(kernel: string, cwd: string, env: NodeJS.ProcessEnv, runs: { trivial: number; library: number }, code: { trivial: string; library: string }): Promise<KernelTimings> {
  return new Promise((resolve, reject) => {
    const child = spawn(SYSTEM_PYTHON, [CLIENT, kernel, cwd, String(runs.trivial), String(runs.library), code.trivial, code.library], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => {
      const line = stdout.trim().split("\n").at(-1) ?? "";
      if (status !== 0 || !line.startsWith("{")) reject(new Error(`bench: driving kernel "${kernel}" failed (${status}):\n${stderr.slice(-2000)}`));
      else resolve(JSON.parse(line) as KernelTimings);
    });
  });
}

/**
 * Drives each kernel `rounds` times, alternating between kernels, and pools the samples: the
 * machine's load drifts during a run, and measuring one kernel after the other let that drift
 * favour whichever went first. Start and first-cell times are the median over the rounds.
 */
async function driveRounds(kernels: readonly { kernel: string; code: { trivial: string; library: string } }[], rounds: number, cwd: string, env: NodeJS.ProcessEnv, runs: { trivial: number; library: number }): Promise<Map<string, KernelTimings & { firstLibrary_s: number }>> {
  const samples = new Map<string, KernelTimings[]>();
  for (let round = 0; round < rounds; round++) {
    for (const { kernel, code } of kernels) samples.set(kernel, [...(samples.get(kernel) ?? []), await drive(kernel, cwd, env, runs, code)]);
  }
  const pooled = new Map<string, KernelTimings & { firstLibrary_s: number }>();
  for (const [kernel, list] of samples) {
    pooled.set(kernel, {
      start_s: median(list.map((t) => t.start_s)),
      trivial_s: list.flatMap((t) => t.trivial_s),
      varying_s: list.flatMap((t) => t.varying_s),
      firstLibrary_s: median(list.map((t) => t.library_s[0] ?? Number.NaN)),
      // Every run's first library cell pays for loading the library: only the later ones are pooled.
      library_s: list.flatMap((t) => t.library_s.slice(1)),
    });
  }
  return pooled;
}

/** Kernel spec argv: the built kernel when kernel/dist exists (what users run), else the sources via tsx. */
function trainsetArgv(): { argv: string[]; mode: string } {
  const root = join(import.meta.dirname, "..", "kernel");
  if (existsSync(join(root, "dist", "jupyter", "kernel-main.js"))) {
    return { argv: [process.execPath, join(root, "bin", "trainset-kernel.js"), "--connection-file", "{connection_file}"], mode: "built dist/" };
  }
  return { argv: buildKernelSpec().argv, mode: "sources via tsx (kernel/dist not built)" };
}

/**
 * Stock tslab (the named peer): installed once into the bench work folder from the npm registry
 * and registered in the bench's own Jupyter path. Returns false when that is not possible
 * (no registry), and the table then says "not installed".
 */
async function installTslab(ctx: BenchContext, prefix: string): Promise<boolean> {
  const dir = join(ctx.workDir, "tslab");
  const bin = join(dir, "node_modules", ".bin", "tslab");
  if (!existsSync(bin)) {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "package.json"), JSON.stringify({ private: true, dependencies: { tslab: TSLAB_VERSION } }));
    ctx.log(`installing tslab@${TSLAB_VERSION} into ${dir}`);
    if ((await runQuiet("npm", ["install", "--no-audit", "--no-fund"], dir)) !== 0 || !existsSync(bin)) return false;
  }
  return (await runQuiet(bin, ["install", "--prefix", prefix, "--python", SYSTEM_PYTHON, "--binary", bin], dir)) === 0;
}

function runQuiet(command: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: "ignore" });
    child.on("error", () => resolve(-1));
    child.on("close", (code) => resolve(code ?? -1));
  });
}

async function hasKernel(name: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(SYSTEM_PYTHON, ["-c", `import sys\nfrom jupyter_client.kernelspec import KernelSpecManager\nsys.exit(0 if "${name}" in KernelSpecManager().find_kernel_specs() else 1)`], { env, stdio: "ignore" });
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code === 0));
  });
}

/** The `kernel` bench entry. */
export const kernelBench: BenchEntry = {
  name: "kernel",
  issue: 4,
  async run(ctx) {
    const prefix = join(ctx.workDir, "kernel-bench");
    await rm(prefix, { recursive: true, force: true });
    const specDir = join(prefix, "share", "jupyter", "kernels", "trainset");
    await mkdir(specDir, { recursive: true });
    const { argv, mode } = trainsetArgv();
    await writeFile(join(specDir, "kernel.json"), JSON.stringify({ ...buildKernelSpec(), argv }, null, 2));
    const notebookDir = join(prefix, "notebook");
    await mkdir(notebookDir, { recursive: true });
    const env = { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter"), JUPYTER_RUNTIME_DIR: join(prefix, "runtime"), PYDEVD_DISABLE_FILE_VALIDATION: "1" };
    const runs = ctx.quick ? { trivial: 10, library: 4 } : { trivial: 50, library: 8 };
    const rounds = ctx.quick ? 1 : 2;

    ctx.log(`trainset kernel: ${mode}; ${rounds} rounds, kernels alternating`);
    const kernels = [
      {
        kernel: "trainset",
        code: {
          trivial: "1 + 1",
          library: 'import { tableBundle, type TableInput } from "trainset";\nconst rows: TableInput = [{ file: "a{i}.jpg", label: "cat" }];\ntableBundle(rows, { limit: {i} + 1 })["text/plain"]',
        },
      },
      { kernel: "python3", code: { trivial: "1 + 1", library: 'import json\njson.dumps([{"file": "a{i}.jpg", "label": "cat"}])' } },
    ];
    if ((await installTslab(ctx, prefix)) && (await hasKernel("tslab", env))) {
      kernels.push({ kernel: "tslab", code: { trivial: "1 + 1", library: 'const rows: { file: string }[] = [{ file: "a{i}.jpg" }];\nrows.map((r) => r.file).join(",")' } });
    }
    const timings = await driveRounds(kernels, rounds, notebookDir, env, runs);
    const trainset = timings.get("trainset");
    const ipython = timings.get("python3");
    if (trainset === undefined || ipython === undefined) throw new Error("bench: the trainset and IPython kernels must both run");
    const tslab = timings.get("tslab");
    ctx.log(`trainset: start ${formatSeconds(trainset.start_s)}; IPython: start ${formatSeconds(ipython.start_s)}`);
    const tslabNote = (pick: (t: KernelTimings) => number): string => `tslab: ${tslab === undefined ? "not installed" : formatSeconds(pick(tslab))}`;

    const libraryAfterFirst = trainset.library_s;
    const rows: BenchRow[] = [
      {
        case: "start → first kernel_info_reply",
        trainset: formatSeconds(trainset.start_s),
        peer: `IPython ${formatSeconds(ipython.start_s)}`,
        ratio: ipython.start_s / trainset.start_s,
        goal: "≤ 1.5 s",
        met: trainset.start_s <= 1.5,
        notes: tslabNote((t) => t.start_s),
      },
      {
        case: `trivial cell round trip, median of ${trainset.trivial_s.length}`,
        trainset: formatSeconds(median(trainset.trivial_s)),
        peer: `IPython ${formatSeconds(median(ipython.trivial_s))}`,
        ratio: median(ipython.trivial_s) / median(trainset.trivial_s),
        goal: "no slower than IPython",
        met: median(trainset.trivial_s) <= median(ipython.trivial_s),
        notes: tslabNote((t) => median(t.trivial_s)),
      },
      {
        case: "trivial cell round trip, p95",
        trainset: formatSeconds(percentile(trainset.trivial_s, 95)),
        peer: `IPython ${formatSeconds(percentile(ipython.trivial_s, 95))}`,
        ratio: percentile(ipython.trivial_s, 95) / percentile(trainset.trivial_s, 95),
        goal: "no slower than IPython",
        met: percentile(trainset.trivial_s, 95) <= percentile(ipython.trivial_s, 95),
      },
      {
        case: `trivial cell with different text each run (${trainset.varying_s.length} × "N + 1"), median`,
        trainset: formatSeconds(median(trainset.varying_s)),
        peer: `IPython ${formatSeconds(median(ipython.varying_s))}`,
        ratio: median(ipython.varying_s) / median(trainset.varying_s),
        goal: "no slower than IPython",
        met: median(trainset.varying_s) <= median(ipython.varying_s),
        notes: `p95 ${formatSeconds(percentile(trainset.varying_s, 95))} vs IPython ${formatSeconds(percentile(ipython.varying_s, 95))}; an unchanged cell reuses the checked program, a changed one rebuilds it`,
      },
      {
        case: "first cell importing trainset (type-check + load)",
        trainset: formatSeconds(trainset.firstLibrary_s),
        peer: `IPython import json ${formatSeconds(ipython.firstLibrary_s)}`,
        ratio: undefined,
        goal: "-",
        met: undefined,
      },
      {
        case: `type-checked trainset cell, median of ${libraryAfterFirst.length} (the first of each run left out)`,
        trainset: formatSeconds(median(libraryAfterFirst)),
        peer: `IPython import json ${formatSeconds(median(ipython.library_s))}`,
        ratio: median(ipython.library_s) / median(libraryAfterFirst),
        goal: "≤ 300 ms",
        met: median(libraryAfterFirst) <= 0.3,
        notes: `p95 ${formatSeconds(percentile(libraryAfterFirst, 95))}; ${tslabNote((t) => median(t.library_s))} (no trainset import there)`,
      },
    ];
    return rows;
  },
};
