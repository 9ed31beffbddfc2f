/** Following a job's event stream on any backend (CLI `logs --follow`, HTTP SSE). */
import { isTerminalState, type JobEvent, type JobQueue } from "./job-queue.js";

/** Options of {@link followJobEvents}. */
export interface FollowJobEventsOptions {
  /** Start after this sequence number (SSE `Last-Event-ID`; default 0: from the first event). */
  afterSeq?: number;
  signal?: AbortSignal;
  /** Longest single wait before re-checking the job (default 15 s; SSE keep-alive cadence). */
  pollTimeoutMs?: number;
}

/**
 * Yields the job's events in sequence order, waiting for new ones, until the job is terminal and
 * every event was yielded, or the signal aborts.
 * @example for await (const e of followJobEvents(queue, id)) console.log(e.seq, e.type);
 */
export async function* followJobEvents(queue: JobQueue, id: string, options: FollowJobEventsOptions = {}): AsyncGenerator<JobEvent> {
  let after = options.afterSeq ?? 0;
  for (;;) {
    if (options.signal?.aborted === true) return;
    const batch = await queue.waitForEvents(id, {
      afterSeq: after,
      timeoutMs: options.pollTimeoutMs ?? 15_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    for (const event of batch) {
      if (event.seq <= after) continue;
      after = event.seq;
      yield event;
    }
    if (batch.length === 0) {
      const job = await queue.get(id);
      if (isTerminalState(job.state) && job.lastSeq <= after) return;
    }
  }
}
