/**
 * Starts the trainset server: token file, path guard, job queue, worker child, listening socket,
 * and a graceful `close()` (stop taking requests, end event streams, let in-flight requests finish,
 * stop the worker so its job is requeued, close the queue).
 */
import type { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { openJobQueue } from "../jobs/open-queue.js";
import type { JobQueue } from "../jobs/job-queue.js";
import { buildServer } from "./app.js";
import type { ServerConfig } from "./config.js";
import { PathGuard } from "./path-guard.js";
import type { ServerContext } from "./server-context.js";
import { ensureTokenFile, readTokenFile, tokenTable } from "./tokens.js";
import { startWorkerProcess, type WorkerProcess } from "./worker-process.js";

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** pino output (default stdout). */
  logStream?: Writable;
  logLevel?: string;
  /** User of the token created when the token file does not exist (default `default-user`). */
  firstUser?: string;
  /** A queue to use instead of opening the store's (tests, embedding). */
  queue?: JobQueue;
  /** After this long, shutdown closes connections still busy (default 30000 ms). */
  shutdownGraceMs?: number;
  /** Worker command line instead of this CLI's `worker --store <root>`. */
  workerCommand?: readonly string[];
}

/** A listening server. */
export interface RunningServer {
  app: FastifyInstance;
  /** `http://host:port`. */
  url: string;
  port: number;
  /** The token file's first token when the server created the file now, else undefined. */
  createdToken?: string;
  worker?: WorkerProcess;
  /** Graceful shutdown; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts listening with `config`.
 * @example const server = await startServer(await resolveServerConfig(".trainset", { port: 0 }));
 */
export async function startServer(config: ServerConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const created = await ensureTokenFile(config.tokenFile, options.firstUser ?? "default-user");
  const tokens = tokenTable(await readTokenFile(config.tokenFile));
  const guard = await PathGuard.create(config.roots);
  const queue = options.queue ?? (await openJobQueue({ store: config.storeRoot }));
  const ctx: ServerContext = { config, tokens, queue, guard, streams: new Set(), libraryLock: { tail: Promise.resolve() } };
  const app = await buildServer(ctx, { ...(options.logStream === undefined ? {} : { logStream: options.logStream }), ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }) });
  let worker: WorkerProcess | undefined;
  try {
    await app.listen({ host: config.host, port: config.port });
    if (config.spawnWorker) worker = startWorkerProcess({ storeRoot: config.storeRoot, logger: app.log, ...(options.workerCommand === undefined ? {} : { command: options.workerCommand }) });
  } catch (error) {
    await app.close();
    if (options.queue === undefined) await queue.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  app.log.info({ url: `http://${host}:${port}`, store: config.storeRoot, roots: config.roots, advancedMode: config.advancedMode, queue: queue.location, tokens: tokens.size }, "trainset server listening");
  let closing: Promise<void> | undefined;
  return {
    app,
    url: `http://${host}:${port}`,
    port,
    ...(created.created ? { createdToken: created.token } : {}),
    ...(worker === undefined ? {} : { worker }),
    close() {
      closing ??= (async () => {
        app.log.info("shutting down: finishing in-flight requests");
        // Sockets that turn idle after close() began (keep-alive) would hold it for the keep-alive timeout.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 200);
        // A client that keeps a socket busy forever must not hold the shutdown: cut everything after the grace time.
        const deadline = setTimeout(() => app.server.closeAllConnections(), options.shutdownGraceMs ?? 30_000);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
          clearTimeout(deadline);
        }
        await worker?.stop();
        if (options.queue === undefined) await queue.close();
      })();
      return closing;
    },
  };
}
