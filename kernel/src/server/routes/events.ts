/**
 * `GET /api/ml/train/{jobId}/events`: the job's events as server-sent events until the job ends.
 * Every event carries the queue's per-job sequence number as its SSE `id`, so a client that
 * reconnects with `Last-Event-ID: n` (or `?lastEventId=n`) gets exactly the events after n.
 * A comment line every 15 s keeps proxies from closing a quiet stream; a final `end` event (no id)
 * carries the job's status. Written by hand on the raw response: no plugin needed.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
import { Type, type FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ServerResponse } from "node:http";
import { isTerminalState, type JobEvent } from "../../jobs/job-queue.js";
import { jobStatusDto, ownedJob } from "../job-dto.js";
import { HttpProblem } from "../problem.js";
import { JobParams, problems } from "../schemas.js";
import type { ServerContext } from "../server-context.js";

/** Longest quiet time before a keep-alive comment. */
const KEEP_ALIVE_MS = 15_000;

function parseLastEventId(header: string | string[] | undefined, query: string | undefined): number {
  const raw = (Array.isArray(header) ? header[0] : header) ?? query;
  if (raw === undefined || raw === "") return 0;
  if (!/^\d{1,15}$/.test(raw.trim())) throw new HttpProblem(400, "Invalid Request", `Last-Event-ID must be a non-negative whole number, got ${JSON.stringify(raw)}`);
  return Number(raw.trim());
}

/** Writes a frame; waits for the socket to drain, or gives up when the stream is aborted or closed. */
async function write(res: ServerResponse, text: string, signal: AbortSignal): Promise<void> {
  if (res.write(text) || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
    signal.addEventListener("abort", done);
  });
}

/** The SSE frame of one job event. */
export function sseFrame(event: JobEvent): string {
  const data: Record<string, unknown> = { ...event };
  delete data["jobId"];
  delete data["type"];
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The SSE route. */
export const eventRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = (app, { ctx }) => {
  app.get(
    "/api/ml/train/:jobId/events",
    {
      schema: {
        summary: "Server-sent events of a job (state, progress, epoch metrics, log) until it ends; resumes after Last-Event-ID",
        tags: ["train"],
        params: JobParams,
        querystring: Type.Object({ lastEventId: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: false }),
        headers: Type.Object({ "last-event-id": Type.Optional(Type.String({ maxLength: 20 })) }),
        response: { 200: { description: "text/event-stream: `id: <seq>`, `event: state|progress|epoch|log`, then `event: end` with the job status", content: { "text/event-stream": { schema: Type.String() } } }, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { jobId } = request.params;
      let after = parseLastEventId(request.headers["last-event-id"], request.query.lastEventId);
      await ownedJob(ctx, jobId, request.user);
      const controller = new AbortController();
      ctx.streams.add(controller);
      const res = reply.raw;
      res.on("close", () => controller.abort());
      reply.hijack();
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        // One long response per connection: when it ends the socket goes too, so shutdown never
        // waits out a keep-alive timeout on a finished stream.
        connection: "close",
        "x-accel-buffering": "no",
        "x-correlation-id": String(request.id),
      });
      let sent = 0;
      try {
        await write(res, "retry: 2000\n\n", controller.signal);
        while (!controller.signal.aborted) {
          const batch = await ctx.queue.waitForEvents(jobId, { afterSeq: after, timeoutMs: KEEP_ALIVE_MS, signal: controller.signal });
          for (const event of batch) {
            if (event.seq <= after) continue;
            await write(res, sseFrame(event), controller.signal);
            after = event.seq;
            sent++;
          }
          if (batch.length > 0 || controller.signal.aborted) continue;
          const job = await ctx.queue.get(jobId);
          if (isTerminalState(job.state) && job.lastSeq <= after) {
            await write(res, `event: end\ndata: ${JSON.stringify(jobStatusDto(job, ctx.config.storeRoot))}\n\n`, controller.signal);
            break;
          }
          await write(res, ": keep-alive\n\n", controller.signal);
        }
      } catch (error) {
        request.log.error({ err: error, jobId }, "event stream failed");
        if (!res.writableEnded) await write(res, `event: error\ndata: ${JSON.stringify({ detail: "The event stream failed; reconnect with Last-Event-ID", correlationId: request.id })}\n\n`, controller.signal).catch(() => undefined);
      } finally {
        ctx.streams.delete(controller);
        request.log.info({ jobId, user: request.user, sent, lastSeq: after, aborted: controller.signal.aborted }, "event stream closed");
        // Aborted (client gone or shutdown): drop the socket, a client that stopped reading must not
        // hold the server open. Otherwise end the response normally.
        if (controller.signal.aborted) res.destroy();
        else if (!res.writableEnded) res.end();
      }
    },
  );
  return Promise.resolve();
};
