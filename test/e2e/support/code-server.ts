/**
 * Starts code-server (VS Code 1.100 in the browser, installed in test/e2e/node_modules) on a free
 * loopback port with fresh user-data, extensions and config folders, and stops it by pid.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const e2eRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(e2eRoot, "node_modules", "code-server", "out", "node", "entry.js");

/** A running code-server. */
export interface CodeServer {
  url: string;
  /** The workbench URL opening `folder`. */
  folderUrl(folder: string): string;
  log(): string;
  stop(): Promise<void>;
}

/** Options of {@link startCodeServer}. */
export interface CodeServerOptions {
  /** Folder for user data, extensions and XDG folders (fresh per run). */
  home: string;
  /** .vsix files installed before start. */
  extensions: readonly string[];
  /** Extra environment for the server and its extension host. */
  env?: Record<string, string>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function folders(home: string): { userData: string; extensions: string; env: Record<string, string> } {
  return { userData: join(home, "user-data"), extensions: join(home, "extensions"), env: { XDG_CONFIG_HOME: join(home, "config"), XDG_DATA_HOME: join(home, "data"), XDG_CACHE_HOME: join(home, "cache") } };
}

/** Installs the extensions and starts the server; resolves once /healthz answers. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const dirs = folders(options.home);
  await Promise.all([dirs.userData, dirs.extensions, ...Object.values(dirs.env)].map((d) => mkdir(d, { recursive: true })));
  const env = { ...process.env, ...dirs.env, ...options.env };
  for (const vsix of options.extensions) {
    await run(process.execPath, [entry, "--user-data-dir", dirs.userData, "--extensions-dir", dirs.extensions, "--install-extension", vsix], { env });
  }
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [entry, "--bind-addr", `127.0.0.1:${port}`, "--auth", "none", "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", "--user-data-dir", dirs.userData, "--extensions-dir", dirs.extensions], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.setEncoding("utf8").on("data", (t: string) => (log = (log + t).slice(-20000)));
  child.stderr?.setEncoding("utf8").on("data", (t: string) => (log = (log + t).slice(-20000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${log}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer /healthz within 60 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, folderUrl: (folder) => `${url}/?folder=${encodeURIComponent(folder)}`, log: () => log, stop };
}
