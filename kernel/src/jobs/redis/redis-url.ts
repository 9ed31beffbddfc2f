/**
 * Parses the `--queue redis://[user:password@]host[:port][/db]` address (or `rediss://` for TLS)
 * into ioredis connection options, refusing anything that is not a Redis address.
 */
import { TrainsetError } from "../../util/errors.js";

/** Where the Redis queue lives. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The address with the password masked, for messages and logs. */
  display: string;
  /** `?prefix=`: namespace of every key (default `trainset`), so queues can share one Redis. */
  prefix: string;
  /** `?lockMs=`: a running job whose worker stops renewing its lock for this long is stalled (default 30000). */
  lockMs: number;
  /** `?stalledMs=`: how often workers look for stalled jobs (default 15000). */
  stalledMs: number;
}

/** True when `spec` names a Redis queue (`redis://` or `rediss://`). */
export function isRedisQueueSpec(spec: string): boolean {
  return /^rediss?:\/\//i.test(spec.trim());
}

/**
 * Parses a Redis address; defaults: port 6379, db 0. Query parameters `prefix`, `lockMs` and
 * `stalledMs` tune the queue (see {@link RedisTarget}).
 * @example parseRedisUrl("redis://10.0.0.5:6379/2") // { host: "10.0.0.5", port: 6379, db: 2, ... }
 */
export function parseRedisUrl(spec: string): RedisTarget {
  const bad = (why: string): TrainsetError =>
    new TrainsetError("VALIDATION_ERROR", `Cannot use queue "${mask(spec)}": ${why}`, { field: "queue" });
  let url: URL;
  try {
    url = new URL(spec.trim());
  } catch {
    throw bad("it is not a URL (expected redis://host:port/db)");
  }
  const scheme = url.protocol.toLowerCase();
  if (scheme !== "redis:" && scheme !== "rediss:") throw bad(`the scheme "${url.protocol}" is not redis:// or rediss://`);
  if (url.hostname === "") throw bad("the host is missing");
  const port = url.port === "" ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d+$/.test(path)) throw bad(`the database "${path}" is not a number`);
  const db = path === "" ? 0 : Number(path);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const number = (name: string, fallback: number): number => {
    const raw = url.searchParams.get(name);
    if (raw === null) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 100) throw bad(`?${name}=${raw} is not a whole number of milliseconds >= 100`);
    return Number(raw);
  };
  const prefix = url.searchParams.get("prefix") ?? "trainset";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw bad(`?prefix=${prefix} may only use A-Z a-z 0-9 _ . - (max 64)`);
  for (const name of url.searchParams.keys())
    if (!["prefix", "lockMs", "stalledMs"].includes(name)) throw bad(`unknown parameter "${name}" (known: prefix, lockMs, stalledMs)`);
  const lockMs = number("lockMs", 30_000);
  const target: RedisTarget = {
    host,
    port,
    db,
    tls: scheme === "rediss:",
    display: mask(spec),
    prefix,
    lockMs,
    stalledMs: number("stalledMs", Math.max(100, Math.floor(lockMs / 2))),
  };
  if (url.username !== "") target.username = decodeURIComponent(url.username);
  if (url.password !== "") target.password = decodeURIComponent(url.password);
  return target;
}

/** The address with any password replaced by `***`. */
function mask(spec: string): string {
  return spec.replace(/(rediss?:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
}
