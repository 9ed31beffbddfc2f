/**
 * Job records and event streams in Redis. A record is a hash with one JSON value per top-level
 * field, so concurrent writers (a worker reporting progress, a client cancelling) never overwrite
 * each other's fields. Every change runs in one Lua script: guard (expected state / attempt),
 * fields, events with the next sequence numbers, and a notification, all or nothing.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { errorMessage, TrainsetError } from "../../util/errors.js";
import type { JobEvent, JobEventBody, JobRecord, JobState, ReadEventsOptions } from "../job-queue.js";
import type { RedisQueueKeys } from "./redis-keys.js";

/** A change to a record. */
export interface RecordChange {
  /** Fields to set (top-level). */
  set?: Partial<JobRecord>;
  /** Fields to remove. */
  unset?: ReadonlyArray<keyof JobRecord>;
  /** Events to append, each getting the next seq. */
  events?: readonly JobEventBody[];
  /** Apply only while the record is in one of these states. */
  ifState?: readonly JobState[];
  /** Apply only while `attempts` has this value (the run that owns the record). */
  ifAttempts?: number;
}

/** What an update did. */
export type RecordChangeResult = { applied: true; lastSeq: number } | { applied: false; state: JobState | undefined };

// KEYS: request, record, index, events. ARGV: hasRequest, id, score, channel, nfields, f/v…, nevents, tails…
const CREATE = `
if ARGV[1] == '1' then
  local existing = redis.call('get', KEYS[1])
  if existing then return {0, existing} end
  redis.call('set', KEYS[1], ARGV[2])
end
local i = 5
local n = tonumber(ARGV[i])
local fv = {}
for k = 1, 2 * n do fv[k] = ARGV[i + k] end
redis.call('hset', KEYS[2], unpack(fv))
i = i + 2 * n + 1
local ne = tonumber(ARGV[i])
local seq = 0
for k = 1, ne do
  seq = redis.call('hincrby', KEYS[2], 'lastSeq', 1)
  redis.call('rpush', KEYS[4], '{"seq":' .. seq .. ',' .. ARGV[i + k])
end
redis.call('zadd', KEYS[3], ARGV[3], ARGV[2])
if ne > 0 then redis.call('publish', ARGV[4], ARGV[2]) end
return {1, ARGV[2]}
`;

// KEYS: record, events. ARGV: states ("\\n"-joined JSON, "" any), attempts ("" any), channel, id,
// nset, f/v…, nunset, f…, nevents, tails…
const UPDATE = `
local state = redis.call('hget', KEYS[1], 'state')
if not state then return {-1, ''} end
if ARGV[1] ~= '' then
  local ok = false
  for s in string.gmatch(ARGV[1], '[^\\n]+') do if s == state then ok = true end end
  if not ok then return {0, state} end
end
if ARGV[2] ~= '' and redis.call('hget', KEYS[1], 'attempts') ~= ARGV[2] then return {0, state} end
local i = 5
local n = tonumber(ARGV[i])
if n > 0 then
  local fv = {}
  for k = 1, 2 * n do fv[k] = ARGV[i + k] end
  redis.call('hset', KEYS[1], unpack(fv))
end
i = i + 2 * n + 1
local nu = tonumber(ARGV[i])
for k = 1, nu do redis.call('hdel', KEYS[1], ARGV[i + k]) end
i = i + nu + 1
local ne = tonumber(ARGV[i])
local seq = tonumber(redis.call('hget', KEYS[1], 'lastSeq') or '0')
for k = 1, ne do
  seq = redis.call('hincrby', KEYS[1], 'lastSeq', 1)
  redis.call('rpush', KEYS[2], '{"seq":' .. seq .. ',' .. ARGV[i + k])
end
if ne > 0 then redis.call('publish', ARGV[3], ARGV[4]) end
return {1, tostring(seq)}
`;

/** A Lua script sent once per server (EVALSHA), re-sent when the server forgot it (NOSCRIPT). */
class LuaScript {
  private readonly sha: string;
  constructor(private readonly text: string) {
    this.sha = createHash("sha1").update(text).digest("hex");
  }

  async run(redis: Redis, keys: number, args: string[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys, ...args);
    } catch (error: unknown) {
      if (!errorMessage(error).startsWith("NOSCRIPT")) throw error;
      return redis.eval(this.text, keys, ...args);
    }
  }
}

const createScript = new LuaScript(CREATE);
const updateScript = new LuaScript(UPDATE);

/** The record fields as hash field/value pairs (values JSON). */
function fieldPairs(fields: Partial<JobRecord>): string[] {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && key !== "lastSeq") pairs.push(key, JSON.stringify(value));
  }
  return pairs;
}

/** An event without its seq, as the text after `{"seq":N,`. */
function eventTail(id: string, body: JobEventBody, at: string): string {
  return JSON.stringify({ jobId: id, at, ...body }).slice(1);
}

/** Records and events of one queue. */
export class RedisJobStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisQueueKeys,
  ) {}

  /**
   * Stores a new record with its first events, unless `record.requestId` was seen before: then
   * returns the id of the job that key created.
   */
  async create(record: JobRecord, events: readonly JobEventBody[]): Promise<{ created: boolean; id: string }> {
    const at = new Date().toISOString();
    const pairs = fieldPairs(record);
    const reply = (await createScript.run(this.redis, 4, [
      this.keys.request(record.requestId ?? "-"),
      this.keys.job(record.id),
      this.keys.index,
      this.keys.events(record.id),
      record.requestId === undefined ? "0" : "1",
      record.id,
      String(Date.parse(record.createdAt)),
      this.keys.eventChannel,
      String(pairs.length / 2),
      ...pairs,
      String(events.length),
      ...events.map((body) => eventTail(record.id, body, at)),
    ])) as [number, string];
    return { created: reply[0] === 1, id: reply[1] };
  }

  /** Applies a change atomically (see {@link RecordChange}). */
  async update(id: string, change: RecordChange): Promise<RecordChangeResult> {
    const at = new Date().toISOString();
    const pairs = fieldPairs(change.set ?? {});
    const unset = change.unset ?? [];
    const events = change.events ?? [];
    const reply = (await updateScript.run(this.redis, 2, [
      this.keys.job(id),
      this.keys.events(id),
      (change.ifState ?? []).map((s) => JSON.stringify(s)).join("\n"),
      change.ifAttempts === undefined ? "" : String(change.ifAttempts),
      this.keys.eventChannel,
      id,
      String(pairs.length / 2),
      ...pairs,
      String(unset.length),
      ...unset,
      String(events.length),
      ...events.map((body) => eventTail(id, body, at)),
    ])) as [number, string];
    if (reply[0] === 1) return { applied: true, lastSeq: Number(reply[1]) };
    return { applied: false, state: reply[0] === -1 ? undefined : (JSON.parse(reply[1]) as JobState) };
  }

  /** The record, or undefined when there is none. */
  async get(id: string): Promise<JobRecord | undefined> {
    return parseRecord(id, await this.redis.hgetall(this.keys.job(id)));
  }

  /** Every record, in no particular order. */
  async all(): Promise<JobRecord[]> {
    const ids = await this.redis.zrange(this.keys.index, "0", "-1");
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.job(id));
    const replies = (await pipeline.exec()) ?? [];
    const records: JobRecord[] = [];
    replies.forEach(([error, hash], i) => {
      const record = error === null ? parseRecord(ids[i] ?? "", hash as Record<string, string>) : undefined;
      if (record !== undefined) records.push(record);
    });
    return records;
  }

  /** Events with `seq > afterSeq`, in order (the list holds seq n at index n-1). */
  async readEvents(id: string, options: ReadEventsOptions = {}): Promise<JobEvent[]> {
    const start = Math.max(0, options.afterSeq ?? 0);
    const stop = options.limit === undefined ? -1 : start + Math.max(0, options.limit) - 1;
    if (stop !== -1 && stop < start) return [];
    const lines = await this.redis.lrange(this.keys.events(id), start, stop);
    return lines.map((line) => JSON.parse(line) as JobEvent);
  }
}

/** Rebuilds a record from its hash; undefined for an empty hash. */
function parseRecord(id: string, hash: Record<string, string>): JobRecord | undefined {
  if (Object.keys(hash).length === 0) return undefined;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(hash)) {
    try {
      fields[key] = JSON.parse(value);
    } catch (error: unknown) {
      throw new TrainsetError("PARSE_ERROR", `Cannot read job ${id} from Redis: field "${key}" is not JSON`, { field: key, cause: error });
    }
  }
  if (typeof fields["state"] !== "string" || typeof fields["kind"] !== "string")
    throw new TrainsetError("PARSE_ERROR", `Cannot read job ${id} from Redis: the record has no state or kind`, { field: "state" });
  fields["lastSeq"] = Number(fields["lastSeq"] ?? 0);
  return fields as unknown as JobRecord;
}
