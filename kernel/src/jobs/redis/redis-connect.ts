/**
 * Connections to the queue's Redis. The first connection of every process is checked (connect,
 * authenticate, PING) and fails with a clear TrainsetError; after that, worker connections
 * reconnect forever with capped exponential backoff, as BullMQ requires.
 */
import { Redis } from "ioredis";
import { TrainsetError, errorMessage, systemErrorCode } from "../../util/errors.js";
import type { RedisTarget } from "./redis-url.js";

/** `client`: commands fail fast while Redis is away; `worker`: commands wait for the reconnection. */
export type RedisRole = "client" | "worker";

/** Options for {@link connectRedis}. */
export interface ConnectRedisOptions {
  /** Default "client". */
  role?: RedisRole;
  /** Milliseconds to wait for the first connection. Default 5000. */
  connectTimeoutMs?: number;
  /** Called before each reconnection attempt of a worker connection (attempt, delay ms). */
  onReconnect?: (attempt: number, delayMs: number) => void;
}

/** Delay before reconnection attempt `attempt` (1-based): 100 ms doubling, capped at 10 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(10_000, 100 * 2 ** Math.min(attempt - 1, 7));
}

/** The ioredis options trainset sets (also accepted by BullMQ as its `connection`). */
export interface TrainsetRedisOptions {
  host: string;
  port: number;
  db: number;
  lazyConnect: boolean;
  connectTimeout: number;
  maxRetriesPerRequest: number | null;
  retryStrategy: (attempt: number) => number | null;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
}

/** ioredis options for a target and role. */
export function redisOptions(target: RedisTarget, options: ConnectRedisOptions = {}): TrainsetRedisOptions {
  const role = options.role ?? "client";
  const base: TrainsetRedisOptions = {
    host: target.host,
    port: target.port,
    db: target.db,
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    // BullMQ's blocking commands must not be cut by a per-request retry limit.
    maxRetriesPerRequest: role === "worker" ? null : 2,
    // Both roles reconnect forever; a client's commands fail after two reconnection attempts
    // while a worker's wait for the connection to come back.
    retryStrategy: (attempt: number) => {
      const delay = reconnectDelayMs(attempt);
      options.onReconnect?.(attempt, delay);
      return delay;
    },
  };
  if (target.username !== undefined) base.username = target.username;
  if (target.password !== undefined) base.password = target.password;
  if (target.tls) base.tls = {};
  return base;
}

/** Turns a connection failure into "Cannot connect to Redis at …: <reason>". */
export function redisConnectError(target: RedisTarget, cause: unknown): TrainsetError {
  const message = errorMessage(cause);
  const sys = systemErrorCode(cause);
  const reason = /WRONGPASS|NOAUTH|invalid password|invalid username/i.test(message)
    ? `authentication failed (${message.split(/[.,]/)[0] ?? message})`
    : sys === "ECONNREFUSED"
      ? "connection refused (is redis-server running and reachable?)"
      : sys === "ENOTFOUND" || sys === "EAI_AGAIN"
        ? `the host "${target.host}" is unknown`
        : sys === "ETIMEDOUT" || /timeout/i.test(message)
          ? "the connection timed out"
          : message;
  return new TrainsetError("IO_ERROR", `Cannot connect to Redis at ${target.host}:${target.port}: ${reason}`, { field: "queue", cause });
}

/**
 * Opens a connection and checks it with PING; throws a clear TrainsetError when Redis is
 * unreachable or refuses the credentials.
 * @example const redis = await connectRedis(parseRedisUrl("redis://127.0.0.1:6379/0"));
 */
export async function connectRedis(target: RedisTarget, options: ConnectRedisOptions = {}): Promise<Redis> {
  // The first connection never retries: a wrong address or password must fail now, not later.
  const redis = new Redis({ ...redisOptions(target, options), retryStrategy: () => null });
  let lastError: unknown;
  const onError = (error: unknown): void => {
    lastError = error;
  };
  redis.on("error", onError);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error: unknown) {
    redis.disconnect();
    throw redisConnectError(target, lastError ?? error);
  }
  // onError stays attached: an `error` event without a listener would end the process.
  // From now on, follow the role's reconnection policy.
  redis.options.retryStrategy = redisOptions(target, options).retryStrategy;
  return redis;
}
