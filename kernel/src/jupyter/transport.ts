/**
 * The ZMQ side of the kernel: shell and control ROUTERs, the iopub PUB, the stdin ROUTER and the
 * heartbeat REP (echoed from a worker thread so it keeps beating while a cell blocks the main thread).
 * Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#introduction
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { Publisher, Router } from "zeromq";
import { channelEndpoint, type ConnectionInfo } from "./connection-file.js";
import { parseMessage, serializeMessage, type JupyterMessage, type WireRejection } from "./messages.js";
import type { MessageSigner } from "./signing.js";

/** The channels that carry requests. */
export type RequestChannel = "shell" | "control" | "stdin";

/** Callbacks of a running transport. */
export interface TransportHandlers {
  /** A verified message arrived on a request channel. */
  onMessage(channel: RequestChannel, message: JupyterMessage): void;
  /** A message was dropped (wrong signature, malformed frames). */
  onRejected(channel: RequestChannel, reason: WireRejection, detail: string): void;
  /** A socket failed after start (the kernel logs it). */
  onSocketError(channel: RequestChannel | "iopub" | "hb", error: unknown): void;
}

/** A bound set of kernel sockets. */
export interface KernelTransport {
  /** Sends a message on a channel; iopub messages go to every subscriber. */
  send(channel: RequestChannel | "iopub", message: JupyterMessage<unknown>): void;
  /** Closes every socket and stops the heartbeat. */
  close(): Promise<void>;
}

// The heartbeat runs in its own thread: Jupyter pings it while the main thread may be busy in a cell.
const HEARTBEAT_WORKER = `
const { workerData, parentPort } = require("node:worker_threads");
const { Reply } = require(workerData.zeromq);
const socket = new Reply({ linger: 0 });
(async () => {
  await socket.bind(workerData.endpoint);
  parentPort.postMessage("bound");
  for await (const frames of socket) await socket.send(frames);
})().catch((error) => parentPort.postMessage(String(error && error.stack || error)));
parentPort.on("message", () => { socket.close(); parentPort.postMessage("closed"); });
`;

/**
 * Binds the five sockets described by `info` and starts receiving.
 * @example
 * const transport = await startTransport(info, signer, handlers);
 * transport.send("iopub", statusMessage);
 */
export async function startTransport(info: ConnectionInfo, signer: MessageSigner, handlers: TransportHandlers): Promise<KernelTransport> {
  const shell = new Router({ linger: 0 });
  const control = new Router({ linger: 0 });
  const stdin = new Router({ linger: 0 });
  const iopub = new Publisher({ linger: 0 });
  const heartbeat = startHeartbeat(channelEndpoint(info, "hb"), (error) => handlers.onSocketError("hb", error));
  await Promise.all([
    shell.bind(channelEndpoint(info, "shell")),
    control.bind(channelEndpoint(info, "control")),
    stdin.bind(channelEndpoint(info, "stdin")),
    iopub.bind(channelEndpoint(info, "iopub")),
    heartbeat.bound,
  ]);
  const sockets = { shell, control, stdin, iopub };
  let closed = false;

  const receive = async (channel: RequestChannel, socket: Router): Promise<void> => {
    try {
      for await (const frames of socket) {
        const parsed = parseMessage(frames, signer);
        if (parsed.ok) handlers.onMessage(channel, parsed.message);
        else handlers.onRejected(channel, parsed.reason, parsed.detail);
      }
    } catch (error) {
      if (!closed) handlers.onSocketError(channel, error);
    }
  };
  void receive("shell", shell);
  void receive("control", control);
  void receive("stdin", stdin);

  return {
    send(channel, message) {
      if (closed) return;
      // PUB and ROUTER sockets never block on send (they drop at the high-water mark), so the
      // message is queued synchronously: output sent from a busy cell leaves at once.
      sockets[channel].send(serializeMessage(message, signer)).catch((error: unknown) => {
        if (!closed) handlers.onSocketError(channel, error);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const socket of Object.values(sockets)) socket.close();
      await heartbeat.stop();
    },
  };
}

interface Heartbeat {
  bound: Promise<void>;
  stop(): Promise<void>;
}

function startHeartbeat(endpoint: string, onError: (error: unknown) => void): Heartbeat {
  const zeromq = createRequire(import.meta.url).resolve("zeromq");
  const worker = new Worker(HEARTBEAT_WORKER, { eval: true, workerData: { endpoint, zeromq } });
  worker.unref();
  const bound = new Promise<void>((resolve, reject) => {
    worker.once("message", (message: unknown) => {
      if (message === "bound") resolve();
      else reject(new Error(`Cannot start the heartbeat on ${endpoint}: ${String(message)}`));
    });
    worker.once("error", reject);
  });
  worker.on("error", onError);
  return {
    bound,
    async stop() {
      // Close the socket inside the worker first: terminating a thread that owns an open ZMQ
      // socket aborts the process.
      const closed = new Promise<void>((resolve) => {
        worker.on("message", (message: unknown) => message === "closed" && resolve());
        worker.once("exit", () => resolve());
      });
      worker.postMessage("stop");
      await closed;
      await worker.terminate();
    },
  };
}
