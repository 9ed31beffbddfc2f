/**
 * The server's configuration: flags win over the settings file `<store>/server/settings.json`,
 * which wins over the defaults (loopback only, port 5005 like Aura, the workspace as the one
 * allowed path root, advanced mode off).
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describeValue } from "../util/describe-value.js";
import { ioError, TrainsetError } from "../util/errors.js";

/** Everything the server needs to start. */
export interface ServerConfig {
  /** Interface to bind (default 127.0.0.1: reachable from this machine only). */
  host: string;
  /** TCP port (default 5005; 0 picks a free one). */
  port: number;
  /** Store root (annotations, jobs, models, audit, server files). */
  storeRoot: string;
  /** Folders request paths must resolve inside (default: the workspace). */
  roots: string[];
  /** Video-library JSON of seed 000's endpoints (default: none, those endpoints answer 503). */
  library?: string;
  /** ML endpoints answer 403 until this is true (seed 004's Advanced Mode). */
  advancedMode: boolean;
  /** Token file (default `<store>/server/tokens.json`). */
  tokenFile: string;
  /** Largest request body in bytes (default 8 MiB); larger bodies get 413. */
  bodyLimit: number;
  /** Job submissions per user per window (default 10 per 60 s); more get 429. */
  jobRateLimit: { max: number; windowMs: number };
  /** Start a `trainset worker` child process for the queue (default true). */
  spawnWorker: boolean;
}

/** What `<store>/server/settings.json` may set (snake_case on disk). */
export interface ServerSettingsFile {
  advanced_mode?: boolean;
  host?: string;
  port?: number;
  roots?: string[];
  library?: string;
  body_limit?: number;
  job_rate_limit?: { max?: number; window_ms?: number };
  spawn_worker?: boolean;
}

/** Default TCP port (Aura's API port in seed 004). */
export const DEFAULT_PORT = 5005;

/** Paths of the server's own files under a store root. */
export function serverFiles(storeRoot: string): { dir: string; tokens: string; settings: string } {
  const dir = join(storeRoot, "server");
  return { dir, tokens: join(dir, "tokens.json"), settings: join(dir, "settings.json") };
}

const SETTINGS_KEYS = new Set(["advanced_mode", "host", "port", "roots", "library", "body_limit", "job_rate_limit", "spawn_worker"]);

/**
 * Reads the settings file; a missing file is an empty one, unknown keys are refused.
 * @example const s = await readServerSettings(".trainset/server/settings.json");
 */
export async function readServerSettings(path: string): Promise<ServerSettingsFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const e = ioError("read server settings", path, error);
    if (e.code === "NOT_FOUND") return {};
    throw e;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new TrainsetError("PARSE_ERROR", `Cannot read server settings "${path}": it is not JSON`, { file: path, cause: error });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new TrainsetError("PARSE_ERROR", `Cannot read server settings "${path}": expected an object, got ${describeValue(data)}`, { file: path });
  const bad = (field: string, what: string, value: unknown): never => {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot read server settings "${path}": ${field} must be ${what}, got ${describeValue(value)}`, { file: path, field });
  };
  const s = data as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!SETTINGS_KEYS.has(key)) bad(key, `one of the known keys (${[...SETTINGS_KEYS].join(", ")})`, key);
  if (s["advanced_mode"] !== undefined && typeof s["advanced_mode"] !== "boolean") bad("advanced_mode", "true or false", s["advanced_mode"]);
  if (s["spawn_worker"] !== undefined && typeof s["spawn_worker"] !== "boolean") bad("spawn_worker", "true or false", s["spawn_worker"]);
  if (s["host"] !== undefined && (typeof s["host"] !== "string" || s["host"] === "")) bad("host", "a host name or address", s["host"]);
  if (s["library"] !== undefined && (typeof s["library"] !== "string" || s["library"] === "")) bad("library", "a path", s["library"]);
  if (s["port"] !== undefined && !(Number.isInteger(s["port"]) && (s["port"] as number) >= 0 && (s["port"] as number) <= 65535)) bad("port", "an integer 0..65535", s["port"]);
  if (s["body_limit"] !== undefined && !(Number.isInteger(s["body_limit"]) && (s["body_limit"] as number) > 0)) bad("body_limit", "a positive number of bytes", s["body_limit"]);
  if (s["roots"] !== undefined && !(Array.isArray(s["roots"]) && s["roots"].length > 0 && s["roots"].every((r) => typeof r === "string" && r !== ""))) bad("roots", "a non-empty list of folders", s["roots"]);
  const rl = s["job_rate_limit"];
  if (rl !== undefined) {
    if (typeof rl !== "object" || rl === null || Array.isArray(rl)) bad("job_rate_limit", "an object {max, window_ms}", rl);
    const r = rl as Record<string, unknown>;
    if (r["max"] !== undefined && !(Number.isInteger(r["max"]) && (r["max"] as number) > 0)) bad("job_rate_limit.max", "a positive integer", r["max"]);
    if (r["window_ms"] !== undefined && !(Number.isInteger(r["window_ms"]) && (r["window_ms"] as number) > 0)) bad("job_rate_limit.window_ms", "a positive integer", r["window_ms"]);
  }
  return s as ServerSettingsFile;
}

/** Command-line overrides of {@link resolveServerConfig}; unset fields fall through. */
export type ServerConfigOverrides = Partial<ServerConfig>;

/**
 * Merges flags, the settings file and defaults into a config (paths absolute).
 * @example const config = await resolveServerConfig("/work/.trainset", { port: 0 }, "/work");
 */
export async function resolveServerConfig(storeRoot: string, overrides: ServerConfigOverrides = {}, cwd = process.cwd()): Promise<ServerConfig> {
  const root = resolve(cwd, storeRoot);
  const files = serverFiles(root);
  const s = await readServerSettings(files.settings);
  const library = overrides.library ?? (s.library === undefined ? undefined : resolve(files.dir, s.library));
  return {
    host: overrides.host ?? s.host ?? "127.0.0.1",
    port: overrides.port ?? s.port ?? DEFAULT_PORT,
    storeRoot: root,
    roots: (overrides.roots ?? s.roots ?? [cwd]).map((r) => resolve(cwd, r)),
    ...(library === undefined ? {} : { library: resolve(cwd, library) }),
    advancedMode: overrides.advancedMode ?? s.advanced_mode ?? false,
    tokenFile: overrides.tokenFile ?? files.tokens,
    bodyLimit: overrides.bodyLimit ?? s.body_limit ?? 8 * 1024 * 1024,
    jobRateLimit: overrides.jobRateLimit ?? { max: s.job_rate_limit?.max ?? 10, windowMs: s.job_rate_limit?.window_ms ?? 60_000 },
    spawnWorker: overrides.spawnWorker ?? s.spawn_worker ?? true,
  };
}
