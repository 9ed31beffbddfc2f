/** Starts and stops worker processes for the Redis queue tests (killed after each test, even on failure). */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const WORKER_SCRIPT = fileURLToPath(new URL("./worker-process.ts", import.meta.url));
const CLI = fileURLToPath(new URL("../../../kernel/src/cli/run.ts", import.meta.url));

/** A started worker process. */
export interface WorkerProcess {
  child: ChildProcess;
  /** The worker id it printed. */
  id: string;
  output: () => string;
}

/** Spawns `node --import tsx <args>` with the source condition. */
export function spawnNode(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, ["--conditions=trainset-source", "--import", "tsx", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs the trainset CLI in a child process and collects its output. */
export async function runCliProcess(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawnNode([CLI, ...args], env);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  return { code, stdout, stderr };
}

/** Starts the test worker (worker-process.ts) and waits for its `ready <id>` line. */
export async function startTestWorker(url: string, storeRoot: string): Promise<WorkerProcess> {
  return startAndWait(spawnNode([WORKER_SCRIPT, url, storeRoot]), /^ready (\S+)$/m);
}

/** Starts `trainset worker --queue URL --store DIR …` and waits for its start line. */
export async function startCliWorker(url: string, storeRoot: string, extra: readonly string[] = []): Promise<WorkerProcess> {
  return startAndWait(spawnNode([CLI, "worker", "--queue", url, "--store", storeRoot, ...extra]), /^worker (\S+) on redis queue/m);
}

async function startAndWait(child: ChildProcess, ready: RegExp): Promise<WorkerProcess> {
  let output = "";
  const id = await new Promise<string>((resolve, reject) => {
    const onData = (d: string): void => {
      output += d;
      const match = ready.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout?.setEncoding("utf8").on("data", onData);
    child.stderr?.setEncoding("utf8").on("data", onData);
    child.once("exit", (code) => reject(new Error(`worker exited early (${String(code)}):\n${output}`)));
  });
  return { child, id, output: () => output };
}

/** Kills every process still running (SIGKILL); for after/afterEach hooks. */
export function killAll(processes: readonly WorkerProcess[]): void {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
}
