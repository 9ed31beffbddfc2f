/** Names of the Redis keys and channels of one trainset queue; all start with the prefix. */

/** Key names under a prefix (default `trainset`). */
export interface RedisQueueKeys {
  /** BullMQ prefix (BullMQ adds `:<queue name>:…`). */
  bullPrefix: string;
  /** BullMQ queue name. */
  bullQueue: string;
  /** Sorted set of job ids, scored by creation time (ms). */
  index: string;
  /** Hash of a job record: one JSON-encoded value per top-level field. */
  job(id: string): string;
  /** List of a job's events (JSON), in seq order. */
  events(id: string): string;
  /** String: job id recorded for an idempotency key. */
  request(requestId: string): string;
  /** Pub/sub channel: a message (job id) per new event of any job. */
  eventChannel: string;
  /** Pub/sub channel: a message (job id) per cancel request of a running job. */
  cancelChannel: string;
}

/** The keys of the queue under `prefix`. */
export function redisQueueKeys(prefix = "trainset"): RedisQueueKeys {
  return {
    bullPrefix: prefix,
    bullQueue: "jobs",
    index: `${prefix}:index`,
    job: (id) => `${prefix}:job:${id}`,
    events: (id) => `${prefix}:events:${id}`,
    request: (requestId) => `${prefix}:request:${requestId}`,
    eventChannel: `${prefix}:event`,
    cancelChannel: `${prefix}:cancel`,
  };
}
