/**
 * Where the endoreg-db database is: a `postgres://` URL, a config field, or lx-ai's variables
 * (`DEV_DB_HOST/PORT/NAME/USER`, `DEV_DB_PASSWORD` or `DEV_DB_PASSWORD_FILE`, then the same with
 * `DJANGO_DB_`; sslmode `disable` unless `DEV_DB_SSLMODE`/`DJANGO_DB_SSLMODE`). The password is kept
 * out of every description: {@link describeDb} and {@link redactSecret} are what messages use.
 */
import { readFileSync } from "node:fs";
import { TrainsetError } from "../util/errors.js";

/** A resolved connection (the password is never printed: use {@link describeDb}). */
export interface DbConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | undefined;
  /** `disable` (lx-ai's default), `require`, `verify-full`… */
  sslmode: string;
  /** Where the settings came from, for messages: `--db`, `config`, `DEV_DB_*`, `DJANGO_DB_*`. */
  origin: string;
}

/** Options of {@link resolveDbConfig}. */
export interface ResolveDbConfigOptions {
  /** `--db postgres://user:pw@host:port/name?sslmode=…` (wins over everything). */
  url?: string | undefined;
  /** A `db` field of a config file: the same URL form. */
  configUrl?: string | undefined;
  /** Environment to read lx-ai's variables from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

const PREFIXES = ["DEV_DB_", "DJANGO_DB_"] as const;

/** Passwords given on the command line, by password-free description, for this process only. */
const remembered = new Map<string, string>();

/**
 * Keeps a connection's password in memory so configs and run metadata can name the database by its
 * password-free URL ({@link describeDb}) and still connect.
 */
export function rememberDbPassword(db: DbConfig): void {
  if (db.password !== undefined) remembered.set(describeDb(db), db.password);
}

function fail(origin: string, what: string): never {
  throw new TrainsetError("VALIDATION_ERROR", `Cannot use the database settings from ${origin}: ${what}`, { field: origin });
}

function parsePort(text: string, origin: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(origin, `port must be a whole number 1-65535, got "${text}"`);
  return port;
}

/**
 * Parses a `postgres://` (or `postgresql://`) URL. Pure.
 * @example parseDbUrl("postgres://lx@127.0.0.1:5432/endoreg").database // "endoreg"
 */
export function parseDbUrl(text: string, origin = "--db"): DbConfig {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(origin, "not a postgres://user:password@host:port/database URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") fail(origin, `expected a postgres:// URL, got scheme "${url.protocol}"`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database === "") fail(origin, "the URL names no database (postgres://host:port/<database>)");
  const user = decodeURIComponent(url.username);
  if (user === "") fail(origin, "the URL names no user (postgres://<user>@host/database)");
  return {
    host: url.hostname === "" ? "localhost" : url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port === "" ? 5432 : parsePort(url.port, origin),
    database,
    user,
    password: url.password === "" ? undefined : decodeURIComponent(url.password),
    sslmode: url.searchParams.get("sslmode") ?? "disable",
    origin,
  };
}

function first(env: ResolveDbConfigOptions["env"] & object, suffix: string): { value: string; name: string } | undefined {
  for (const prefix of PREFIXES) {
    const value = env[prefix + suffix];
    if (value !== undefined && value !== "") return { value, name: prefix + suffix };
  }
  return undefined;
}

/** lx-ai's password order: `DEV_DB_PASSWORD`, `DEV_DB_PASSWORD_FILE`, then the `DJANGO_DB_` pair. */
function passwordFromEnv(env: ResolveDbConfigOptions["env"] & object): string | undefined {
  for (const prefix of PREFIXES) {
    const direct = env[`${prefix}PASSWORD`];
    if (direct !== undefined && direct !== "") return direct;
    const file = env[`${prefix}PASSWORD_FILE`];
    if (file !== undefined && file !== "") {
      try {
        return readFileSync(file, "utf8").trim();
      } catch (error) {
        const code = typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : "unreadable";
        throw new TrainsetError("IO_ERROR", `Cannot read the database password file "${file}" (${prefix}PASSWORD_FILE): ${code}`, { file, field: `${prefix}PASSWORD_FILE`, cause: error });
      }
    }
  }
  return undefined;
}

/** True when some lx-ai database variable is set. */
export function hasDbEnv(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return PREFIXES.some((p) => ["HOST", "NAME", "USER", "PASSWORD", "PASSWORD_FILE"].some((s) => (env[p + s] ?? "") !== ""));
}

/**
 * Resolves the connection: `url`, then `configUrl`, then lx-ai's variables with lx-ai's defaults
 * (localhost:5432, database and user `endoregDbLocal`). A URL without a password takes it from the
 * variables, so secrets can stay in a password file.
 * @example const db = resolveDbConfig({ url: "postgres://lx@127.0.0.1/endoreg" });
 */
export function resolveDbConfig(options: ResolveDbConfigOptions = {}): DbConfig {
  const env = options.env ?? process.env;
  if (options.url !== undefined) {
    const cfg = parseDbUrl(options.url, "--db");
    return cfg.password === undefined ? { ...cfg, password: remembered.get(describeDb(cfg)) ?? passwordFromEnv(env) } : cfg;
  }
  if (options.configUrl !== undefined) {
    const cfg = parseDbUrl(options.configUrl, "config field db");
    return cfg.password === undefined ? { ...cfg, password: remembered.get(describeDb(cfg)) ?? passwordFromEnv(env) } : cfg;
  }
  const origin = first(env, "HOST")?.name.startsWith("DJANGO") === true ? "DJANGO_DB_*" : "DEV_DB_*";
  const port = first(env, "PORT");
  return {
    host: first(env, "HOST")?.value ?? "localhost",
    port: port === undefined ? 5432 : parsePort(port.value, port.name),
    database: first(env, "NAME")?.value ?? "endoregDbLocal",
    user: first(env, "USER")?.value ?? "endoregDbLocal",
    password: passwordFromEnv(env),
    sslmode: first(env, "SSLMODE")?.value ?? "disable",
    origin,
  };
}

/**
 * The connection without its password, for messages and run metadata.
 * @example describeDb(db) // "postgres://lx@127.0.0.1:5432/endoreg"
 */
export function describeDb(db: DbConfig): string {
  const host = db.host.includes(":") ? `[${db.host}]` : db.host;
  return `postgres://${encodeURIComponent(db.user)}@${host}:${db.port}/${encodeURIComponent(db.database)}`;
}

/**
 * Replaces every occurrence of the password (raw and URL-encoded) with `***`.
 * @example redactSecret("pw=abc", "abc") // "pw=***"
 */
export function redactSecret(text: string, secret: string | undefined): string {
  if (secret === undefined || secret === "") return text;
  let out = text;
  for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join("***");
  return out;
}

/** Removes the password part of any postgres:// URL in a text (for argv echoes and logs). */
export function redactDbUrls(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/g, "$1:***@");
}
