/**
 * The benchmark harness: every entry runs trainset and its named peer in the same run and reports
 * a ratio. Timed subprocesses go through /usr/bin/time so peak memory is measured the same way
 * for Node and Python.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync } from "node:fs";
import { rename } from "node:fs/promises";

/** What an entry gets from the runner. */
export interface BenchContext {
  /** A scratch folder kept between runs (generated inputs are cached there). */
  workDir: string;
  /** Smaller sizes, for a smoke run (`npm run bench -- --quick`). */
  quick: boolean;
  log(line: string): void;
}

/** One line of the final table. */
export interface BenchRow {
  /** What was measured, e.g. "COCO load+index+validate (118k images, 860k boxes)". */
  case: string;
  trainset: string;
  peer: string;
  /** Peer time / trainset time (or the ratio that the goal names). */
  ratio: number | undefined;
  goal: string;
  /** Whether the goal was met, when it can be judged. */
  met: boolean | undefined;
  notes?: string;
}

/** A benchmark entry; issues add entries to bench/entries.ts. */
export interface BenchEntry {
  name: string;
  /** Issue number whose figure this proves. */
  issue: number;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

/** Result of a measured subprocess. */
export interface MeasuredRun {
  seconds: number;
  maxRssMb: number;
  stdout: string;
  stderr: string;
}

/** Debian's python3 (where python3-sklearn and friends live), not the pyenv one first on PATH. */
export const SYSTEM_PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/**
 * Runs a command under /usr/bin/time and returns wall seconds and peak RSS.
 * Fails with the command's stderr when it exits non-zero.
 */
export async function runMeasured(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<MeasuredRun> {
  const useTime = existsSync("/usr/bin/time");
  const argv = useTime ? ["-f", "__BENCH__ %e %M", command, ...args] : [...args];
  const exe = useTime ? "/usr/bin/time" : command;
  const started = process.hrtime.bigint();
  const child = spawn(exe, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c) => resolve(c ?? 1));
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`bench: ${command} ${args.join(" ")} exited ${code}:\n${stderr.slice(-2000)}`);
  const match = /__BENCH__ ([\d.]+) (\d+)/.exec(stderr);
  return {
    seconds: match?.[1] !== undefined ? Number(match[1]) : wall,
    maxRssMb: match?.[2] !== undefined ? Number(match[2]) / 1024 : Number.NaN,
    stdout,
    stderr: stderr.replace(/__BENCH__ .*\n?/, ""),
  };
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** "1.23 s", "456 ms". */
export function formatSeconds(seconds: number): string {
  return seconds >= 1 ? `${seconds.toFixed(2)} s` : `${(seconds * 1000).toFixed(0)} ms`;
}

/** Streams text blocks (buffered to ~1 MB writes) to `path` through a temp file, renamed when complete. */
export async function writeStreamed(path: string, produce: (write: (text: string) => Promise<void>) => Promise<void>): Promise<void> {
  const tmp = `${path}.tmp`;
  const out = createWriteStream(tmp);
  let buffered = "";
  const write = async (text: string): Promise<void> => {
    buffered += text;
    if (buffered.length > 1 << 20) {
      if (!out.write(buffered)) await once(out, "drain");
      buffered = "";
    }
  };
  await produce(write);
  out.end(buffered);
  await once(out, "finish");
  await rename(tmp, path);
}
