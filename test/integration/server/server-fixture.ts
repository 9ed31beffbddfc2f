/** A real trainset server on a free loopback port, with two users' tokens and a captured log. */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { resolveServerConfig, type ServerConfigOverrides } from "../../../kernel/src/server/config.js";
import { startServer, type RunningServer } from "../../../kernel/src/server/start.js";
import { addToken } from "../../../kernel/src/server/tokens.js";

/** A started test server. */
export interface TestServer {
  server: RunningServer;
  url: string;
  /** The temp folder holding everything. */
  dir: string;
  /** The one allowed path root (`<dir>/work`). */
  root: string;
  store: string;
  tokens: { alice: string; bob: string };
  /** JSON log lines written so far. */
  logs(): Array<Record<string, unknown>>;
}

/** What one call answered. */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** Starts a server in a fresh temp folder (port 0, Advanced Mode on unless overridden). */
export async function startTestServer(overrides: ServerConfigOverrides = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), "trainset-server-"));
  const root = join(dir, "work");
  const store = join(dir, "store");
  await mkdir(root, { recursive: true });
  const alice = (await addToken(join(store, "server", "tokens.json"), "alice")).token;
  const bob = (await addToken(join(store, "server", "tokens.json"), "bob")).token;
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split("\n").filter((l) => l !== ""));
      done();
    },
  });
  const config = await resolveServerConfig(store, { port: 0, roots: [root], advancedMode: true, spawnWorker: false, ...overrides }, dir);
  const server = await startServer(config, { logStream });
  return { server, url: server.url, dir, root, store, tokens: { alice, bob }, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Stops the server and removes its folder. */
export async function stopTestServer(t: TestServer | undefined): Promise<void> {
  if (t === undefined) return;
  await t.server.close();
  await rm(t.dir, { recursive: true, force: true });
}

/** Calls the API with a bearer token and a JSON body. */
export async function api(t: TestServer, method: string, path: string, options: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? t.tokens.alice : options.token;
  if (token !== null) headers["authorization"] = `Bearer ${token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(`${t.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON (SSE, HTML); callers use text */
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Uploads `count` ratings (`frames/f<i>.png`) for a user; returns the answer. */
export async function uploadRatings(t: TestServer, count: number, token?: string): Promise<ApiAnswer> {
  const annotations = Array.from({ length: count }, (_, i) => ({ framePath: `frames/f${i}.png`, rating: Math.round(((i * 37) % 100) / 10) / 10 }));
  return api(t, "POST", "/api/ml/annotations/upload", { body: { annotations }, ...(token === undefined ? {} : { token }) });
}
