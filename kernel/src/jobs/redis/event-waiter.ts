/**
 * Wakes `waitForEvents` callers when a job gets a new event: one subscriber connection per queue
 * (opened on first use) listens on the queue's event channel, whose messages are job ids.
 */
import type { Redis } from "ioredis";
import { connectRedis } from "./redis-connect.js";
import type { RedisTarget } from "./redis-url.js";

/** One pending wait for a job's next event. */
export interface EventArrival {
  /** Resolves on the next event of the job, after `ms`, or when `signal` aborts. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  /** Stops listening. */
  cancel(): void;
}

/** Subscribes once and fans event notifications out to waiters by job id. */
export class EventWaiter {
  private subscriber: Promise<Redis> | undefined;
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly target: RedisTarget,
    private readonly channel: string,
  ) {}

  /** Starts listening for the next event of `id` (call before reading, then `wait`). */
  next(id: string): EventArrival {
    let fired = false;
    let wake: (() => void) | undefined;
    const listener = (): void => {
      fired = true;
      wake?.();
    };
    const set = this.waiters.get(id) ?? new Set();
    set.add(listener);
    this.waiters.set(id, set);
    const ready = this.subscribe().catch(() => undefined); // without pub/sub, waits fall back to polling
    return {
      wait: async (ms, signal) => {
        await ready;
        if (fired || signal?.aborted === true) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, ms);
          signal?.addEventListener("abort", done, { once: true });
          wake = done;
          function done(): void {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
          }
        });
      },
      cancel: () => {
        set.delete(listener);
        if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
      },
    };
  }

  private subscribe(): Promise<Redis> {
    this.subscriber ??= (async () => {
      const redis = await connectRedis(this.target, { role: "worker" });
      redis.on("message", (_channel: string, id: string) => {
        for (const listener of this.waiters.get(id) ?? []) listener();
      });
      await redis.subscribe(this.channel);
      return redis;
    })();
    return this.subscriber;
  }

  /** Closes the subscriber connection, if one was opened. */
  async close(): Promise<void> {
    const pending = this.subscriber;
    this.subscriber = undefined;
    if (pending === undefined) return;
    const redis = await pending.catch(() => undefined);
    if (redis !== undefined) redis.disconnect();
  }
}
