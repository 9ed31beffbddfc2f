/**
 * The training worker the server runs beside itself: a `trainset worker --store <root>` child
 * process, so training never shares the server's event loop. It is restarted when it dies
 * unexpectedly (at most 5 times a minute) and stopped with SIGTERM at shutdown, which lets the
 * queue's own rules apply to the job it was running (requeued for the next worker).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { FastifyBaseLogger } from "fastify";

/** Options of {@link startWorkerProcess}. */
export interface WorkerProcessOptions {
  storeRoot: string;
  logger: FastifyBaseLogger;
  /** The command line (default: this trainset's own CLI with `worker --store <root>`). */
  command?: readonly string[];
  /** How long to wait for the worker after SIGTERM before SIGKILL (default 15000 ms). */
  stopTimeoutMs?: number;
}

/** A supervised worker child. */
export interface WorkerProcess {
  /** Process id of the current child (undefined between restarts). */
  readonly pid: number | undefined;
  /** Stops the child (SIGTERM, then SIGKILL after the timeout) and does not restart it. */
  stop(): Promise<void>;
}

/** The command that runs this trainset's CLI (`node [tsx flags] <cli>/run.(ts|js)`) and the folder to run it in. */
export function defaultWorkerCommand(storeRoot: string): { command: string[]; cwd?: string } {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const entry = fileURLToPath(new URL(`../cli/run${ext}`, import.meta.url));
  const command = [process.execPath, ...(ext === ".ts" ? ["--conditions=trainset-source", "--import", "tsx"] : []), entry, "worker", "--store", storeRoot, "--quiet"];
  // From source, `--import tsx` resolves from the cwd: run it at the repository root.
  return ext === ".ts" ? { command, cwd: fileURLToPath(new URL("../../../", import.meta.url)) } : { command };
}

/**
 * Starts the worker child and keeps it running.
 * @example const worker = startWorkerProcess({ storeRoot, logger: app.log }); await worker.stop();
 */
export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const fallback = defaultWorkerCommand(options.storeRoot);
  const [exe, ...args] = options.command ?? fallback.command;
  const cwd = options.command === undefined ? fallback.cwd : undefined;
  if (exe === undefined) throw new RangeError("worker command is empty");
  const log = options.logger.child({ component: "worker" });
  let child: ChildProcess | undefined;
  let stopping = false;
  const restarts: number[] = [];

  const launch = (): void => {
    const c = spawn(exe, args, { stdio: ["ignore", "pipe", "pipe"], env: process.env, ...(cwd === undefined ? {} : { cwd }) });
    child = c;
    log.info({ pid: c.pid, command: [exe, ...args].join(" ") }, "worker started");
    for (const stream of [c.stdout, c.stderr]) {
      if (stream !== null) createInterface({ input: stream }).on("line", (line) => log.info({ pid: c.pid }, line));
    }
    c.on("error", (error) => log.error({ err: error }, "worker could not start"));
    c.on("exit", (code, signal) => {
      if (child === c) child = undefined;
      if (stopping) return;
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && (restarts[0] ?? now) < now - 60_000) restarts.shift();
      if (restarts.length > 5) {
        log.error({ code, signal }, "worker keeps dying; not restarting it (jobs stay queued)");
        return;
      }
      log.warn({ code, signal }, "worker exited; restarting it in 1 s");
      setTimeout(() => {
        if (!stopping) launch();
      }, 1000).unref();
    });
  };
  launch();

  return {
    get pid() {
      return child?.pid;
    },
    async stop() {
      stopping = true;
      const c = child;
      if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
      c.kill("SIGTERM");
      const timer = setTimeout(() => c.kill("SIGKILL"), options.stopTimeoutMs ?? 15_000);
      await exited;
      clearTimeout(timer);
      log.info({ pid: c.pid }, "worker stopped");
    },
  };
}
