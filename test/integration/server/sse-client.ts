/** A minimal server-sent-events reader over fetch, for the server tests and the benchmark. */
import type { TestServer } from "./server-fixture.js";

/** One received SSE frame. */
export interface SseEvent {
  id?: string;
  event: string;
  data: Record<string, unknown>;
}

/** Options of {@link readEvents}. */
export interface ReadEventsOptions {
  token?: string;
  lastEventId?: number;
  /** Stop reading (and disconnect) once this returns true for a received event. */
  until?: (event: SseEvent, all: readonly SseEvent[]) => boolean;
}

function parseFrame(frame: string): SseEvent | undefined {
  let id: string | undefined;
  let event = "message";
  const data: string[] = [];
  for (const line of frame.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") id = value;
    else if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0) return undefined;
  return { ...(id === undefined ? {} : { id }), event, data: JSON.parse(data.join("\n")) as Record<string, unknown> };
}

/** Reads a job's event stream until the server ends it (after `end`) or `until` says stop. */
export async function readEvents(t: TestServer, jobId: string, options: ReadEventsOptions = {}): Promise<{ status: number; contentType: string; events: SseEvent[] }> {
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? t.tokens.alice}` };
  if (options.lastEventId !== undefined) headers["last-event-id"] = String(options.lastEventId);
  const res = await fetch(`${t.url}/api/ml/train/${jobId}/events`, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const contentType = res.headers.get("content-type") ?? "";
  if (res.body === null || !contentType.startsWith("text/event-stream")) return { status: res.status, contentType, events };
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const frame = parseFrame(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (frame === undefined) continue;
        events.push(frame);
        if (options.until?.(frame, events) === true) {
          controller.abort();
          return { status: res.status, contentType, events };
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { status: res.status, contentType, events };
}
