/**
 * Test harness: starts Debian's `redis-server` on a free loopback port with its data in a temp
 * folder (nothing written to the home folder), and stops it afterwards, also when a test fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How to start the server. */
export interface RedisServerOptions {
  /** `requirepass`, to test authentication failures. Default: none. */
  password?: string;
  /** Keep an append-only file (fsync always) in the temp folder, for restart tests. Default: false. */
  persistent?: boolean;
}

/** A running redis-server owned by a test. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>/0` (with the password when one was set). */
  readonly url: string;
  /** The temp folder holding the server's files. */
  readonly dir: string;
  /** Stops the server (SIGTERM, then SIGKILL) and keeps its folder, so `start()` can reopen it. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and folder (after `stop()`). */
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  dispose(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Spawns redis-server and resolves once it logs that it accepts connections. */
async function launch(port: number, dir: string, options: RedisServerOptions): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
  args.push("--appendonly", options.persistent === true ? "yes" : "no");
  if (options.persistent === true) args.push("--appendfsync", "always");
  if (options.password !== undefined) args.push("--requirepass", options.password);
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`redis-server did not start within 20 s:\n${output}`));
    }, 20_000);
    const onData = (text: string): void => {
      output += text;
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.setEncoding("utf8").on("data", onData);
    child.stderr?.setEncoding("utf8").on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited early (${String(code)}):\n${output}`));
    });
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/** Stops a child process: SIGTERM, then SIGKILL after 5 s. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Starts a redis-server on a free loopback port in a fresh temp folder. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), "trainset-redis-"));
  let port = 0;
  let child: ChildProcess | undefined;
  // A port found free can be taken before redis binds it: try a few.
  for (let attempt = 0; child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, options);
    } catch (error: unknown) {
      if (attempt >= 4) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const auth = options.password === undefined ? "" : `:${encodeURIComponent(options.password)}@`;
  let current: ChildProcess | undefined = child;
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}/0`,
    dir,
    async stop() {
      if (current !== undefined) await terminate(current);
      current = undefined;
    },
    async start() {
      if (current === undefined) current = await launch(port, dir, options);
    },
    async dispose() {
      if (current !== undefined) await terminate(current);
      current = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a redis-server before the suite and disposes of it after, even when tests fail. */
export function useRedisServer(options: RedisServerOptions = {}): () => RedisServer {
  let server: RedisServer | undefined;
  before(async function () {
    this.timeout(30_000);
    server = await startRedisServer(options);
  });
  after(async () => {
    await server?.dispose();
    server = undefined;
  });
  return () => {
    if (server === undefined) throw new Error("useRedisServer(): only available inside a test");
    return server;
  };
}
