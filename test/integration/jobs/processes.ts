/** Real `trainset` processes for the job-queue tests; every one started is killed in `after`. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../../kernel/src/cli/run.ts", import.meta.url));
const SCRIPT_DIR = fileURLToPath(new URL(".", import.meta.url));

/** A started process with its collected output. */
export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) once it ended. */
  exited: Promise<number | string>;
}

const started = new Set<ChildProcess>();

function start(args: string[]): Proc {
  const child = spawn(process.execPath, ["--conditions=trainset-source", "--import", "tsx", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TRAINSET_QUEUE: "" } });
  started.add(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => {
      started.delete(child);
      resolve(code ?? signal ?? "unknown");
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Starts `trainset <args>`. */
export function startCli(args: string[]): Proc {
  return start([CLI, ...args]);
}

/** Starts a TypeScript helper script from this folder. */
export function startScript(name: string, args: string[]): Proc {
  return start([`${SCRIPT_DIR}${name}`, ...args]);
}

/** Runs `trainset <args>` to the end. */
export async function runCliProcess(args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const p = startCli(args);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Kills every process still running (mocha `afterEach`). */
export async function killAll(): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const child of started) {
    waits.push(new Promise((resolve) => child.once("exit", () => resolve())));
    child.kill("SIGKILL");
  }
  await Promise.all(waits);
}

/** Polls `check` every 50 ms until it returns a value (not a timing assertion: mocha's timeout bounds it). */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, proc?: Proc): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (proc !== undefined && proc.child.exitCode !== null) throw new Error(`process exited (${proc.child.exitCode}) while waiting for ${what}: ${proc.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
