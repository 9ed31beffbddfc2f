/**
 * The Jupyter side of the kernel: answers shell and control requests, publishes status, streams,
 * displays, results and errors on iopub. Transport (ZMQ) and execution (TypeScript) are separate
 * modules; this one only speaks the protocol.
 * Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { runInThisContext } from "node:vm";
import { inspect } from "node:util";
import { setDisplaySink, type DisplaySink } from "../display/display-sink.js";
import { toolVersion } from "../version.js";
import { resultBundle, describeError } from "./cell-result.js";
import { readConnectionFile } from "./connection-file.js";
import { CellExecutor, type CellOutcome } from "./executor.js";
import { queryHistory, type HistoryEntry, type HistoryQuery } from "./history.js";
import { checkCompleteness } from "./is-complete.js";
import { booleanField, createMessage, numberField, PROTOCOL_VERSION, stringField, type JsonObject, type JsonValue, type JupyterMessage } from "./messages.js";
import { captureProcessOutput, type OutputCapture } from "./output-capture.js";
import { createSigner } from "./signing.js";
import { startTransport, type KernelTransport, type RequestChannel } from "./transport.js";
import { loadTypeScript } from "./typescript-module.js";

/** Options for {@link startKernel}. */
export interface KernelOptions {
  /** Path of the connection file Jupyter wrote. */
  connectionFile: string;
  /** The notebook's folder (default: the process's working directory, which Jupyter sets to it). */
  notebookDir?: string;
  /** Type-check cells before running them (default true). */
  typeCheck?: boolean;
  /** Called when a shutdown request has been answered; the default exits the process. */
  onShutdown?: (restart: boolean) => void;
}

/** A running kernel. */
export interface RunningKernel {
  /** Interrupts the running cell (what SIGINT does). */
  interrupt(): void;
  /** Closes the sockets and restores the process streams. */
  close(): Promise<void>;
}

const LANGUAGE_INFO = {
  name: "typescript",
  version: "",
  mimetype: "text/typescript",
  file_extension: ".ts",
  pygments_lexer: "typescript",
  codemirror_mode: { name: "javascript", typescript: true },
};

/**
 * Binds the sockets of a connection file and serves Jupyter requests until shutdown.
 * @example
 * await startKernel({ connectionFile: "/run/user/1000/jupyter/kernel-1.json" });
 */
export async function startKernel(options: KernelOptions): Promise<RunningKernel> {
  const info = await readConnectionFile(options.connectionFile);
  const signer = createSigner(info.key, info.signatureScheme);
  const session = randomUUID();
  const capture = captureProcessOutput(50);
  const executor = new CellExecutor({ notebookDir: options.notebookDir ?? process.cwd(), typeCheck: options.typeCheck ?? true });
  const state = new KernelState(session, capture, executor, (channel, message) => transport.send(channel, message));
  const transport: KernelTransport = await startTransport(info, signer, {
    onMessage: (channel, message) => state.receive(channel, message),
    onRejected: (channel, reason, detail) => capture.log(`trainset kernel: dropped a message on ${channel} (${reason}): ${detail}\n`),
    onSocketError: (channel, error) => capture.log(`trainset kernel: ${channel} socket error: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  const onSigint = (): void => state.interrupt();
  process.on("SIGINT", onSigint);
  // Errors thrown later by a cell's timers or promises are shown, not fatal.
  const onStray = (error: unknown): void => state.strayError(error);
  process.on("uncaughtException", onStray);
  process.on("unhandledRejection", onStray);
  const close = async (): Promise<void> => {
    process.off("SIGINT", onSigint);
    process.off("uncaughtException", onStray);
    process.off("unhandledRejection", onStray);
    capture.restore();
    setDisplaySink(undefined);
    await transport.close();
  };
  state.onShutdown = (restart) => {
    void close().then(() => (options.onShutdown ?? (() => process.exit(0)))(restart));
  };
  // Send `starting`-then-idle like other kernels so frontends know we are up.
  state.publishStatus("idle", undefined);
  return { interrupt: () => state.interrupt(), close };
}

type Send = (channel: RequestChannel | "iopub", message: JupyterMessage<unknown>) => void;

class KernelState {
  onShutdown: (restart: boolean) => void = () => undefined;
  private executionCount = 0;
  private readonly history: HistoryEntry[] = [];
  private shellQueue: Promise<void> = Promise.resolve();
  private received = 0;
  private abortQueuedUpTo = 0;
  private current: AbortController | undefined;
  private outputParent: JupyterMessage | undefined;
  private warmedUp = false;
  private warmUpTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: string,
    private readonly capture: OutputCapture,
    private readonly executor: CellExecutor,
    private readonly send: Send,
  ) {}

  receive(channel: RequestChannel, message: JupyterMessage): void {
    if (channel === "stdin") return; // input_reply: this kernel never asks for input
    if (channel === "control") {
      void this.guard(channel, message, () => this.handle(channel, message, 0));
      return;
    }
    const seq = ++this.received;
    this.shellQueue = this.shellQueue.then(() => this.guard(channel, message, () => this.handle(channel, message, seq)));
  }

  interrupt(): void {
    this.current?.abort(new Error("interrupted"));
  }

  strayError(error: unknown): void {
    const described = describeError(error, []);
    if (this.outputParent === undefined) {
      this.capture.log(`trainset kernel: ${described.traceback.join("\n")}\n`);
      return;
    }
    this.capture.flush();
    this.publish("stream", { name: "stderr", text: `${described.traceback.join("\n")}\n` }, this.outputParent);
  }

  publishStatus(state: "busy" | "idle", parent: JupyterMessage | undefined): void {
    this.publish("status", { execution_state: state }, parent);
  }

  private publish(type: string, content: unknown, parent: JupyterMessage | undefined): void {
    this.send("iopub", { ...createMessage(type, content, parent, this.session), identities: [] });
  }

  private reply(channel: RequestChannel, request: JupyterMessage, content: JsonObject): void {
    const type = request.header.msg_type.replace(/_request$/, "_reply");
    this.send(channel, createMessage(type, content, request, this.session));
  }

  private async guard(channel: RequestChannel, message: JupyterMessage, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.capture.log(`trainset kernel: failed to handle ${message.header.msg_type} on ${channel}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  }

  private async handle(channel: RequestChannel, request: JupyterMessage, seq: number): Promise<void> {
    const type = request.header.msg_type;
    if (type === "comm_open" || type === "comm_msg" || type === "comm_close") return;
    this.publishStatus("busy", request);
    try {
      switch (type) {
        case "kernel_info_request":
          this.reply(channel, request, this.kernelInfo());
          this.scheduleWarmUp();
          break;
        case "execute_request":
          await this.execute(channel, request, seq);
          break;
        case "complete_request":
          await this.complete(channel, request);
          break;
        case "inspect_request":
          await this.inspect(channel, request);
          break;
        case "is_complete_request":
          this.reply(channel, request, checkCompleteness(await loadTypeScript(), stringField(request.content, "code")) as JsonObject);
          break;
        case "history_request":
          this.reply(channel, request, { status: "ok", history: queryHistory(this.history, request.content as unknown as HistoryQuery) as JsonValue });
          break;
        case "comm_info_request":
          this.reply(channel, request, { status: "ok", comms: {} });
          break;
        case "interrupt_request":
          this.interrupt();
          this.reply(channel, request, { status: "ok" });
          break;
        case "shutdown_request": {
          const restart = booleanField(request.content, "restart", false);
          this.reply(channel, request, { status: "ok", restart });
          this.publishStatus("idle", request);
          this.onShutdown(restart);
          return;
        }
        default:
          this.capture.log(`trainset kernel: ignored unknown request "${type}" on ${channel}\n`);
      }
    } finally {
      if (type !== "shutdown_request") this.publishStatus("idle", request);
    }
  }

  private kernelInfo(): JsonObject {
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "trainset",
      implementation_version: toolVersion(),
      language_info: { ...LANGUAGE_INFO, version: this.typescriptVersion() },
      banner: `trainset ${toolVersion()} — TypeScript kernel on Node.js ${process.version}`,
      debugger: false,
      help_links: [{ text: "trainset", url: "https://github.com/trainset/trainset#readme" }],
    };
  }

  private typescriptVersion(): string {
    // Read from package.json: importing TypeScript itself here would slow down the first reply.
    try {
      const manifest = createRequire(import.meta.url).resolve("typescript/package.json");
      return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
    } catch {
      return "";
    }
  }

  private scheduleWarmUp(): void {
    if (this.warmedUp) return;
    // Load TypeScript and the checker's libraries once the client has stopped asking for
    // kernel_info (it repeats the request until iopub is connected): warming up blocks ~1 s.
    clearTimeout(this.warmUpTimer);
    this.warmUpTimer = setTimeout(() => {
      this.warmedUp = true;
      this.shellQueue = this.shellQueue.then(() => this.executor.warmUp()).catch((error: unknown) => this.capture.log(`trainset kernel: warm-up failed: ${String(error)}\n`));
    }, 400);
  }

  private async execute(channel: RequestChannel, request: JupyterMessage, seq: number): Promise<void> {
    const code = stringField(request.content, "code");
    const silent = booleanField(request.content, "silent", false);
    const storeHistory = booleanField(request.content, "store_history", !silent) && !silent;
    const stopOnError = booleanField(request.content, "stop_on_error", true);
    if (seq <= this.abortQueuedUpTo) {
      this.reply(channel, request, { status: "aborted", execution_count: this.executionCount });
      return;
    }
    if (storeHistory) this.executionCount += 1;
    const count = this.executionCount;
    if (!silent) this.publish("execute_input", { code, execution_count: count }, request);

    const controller = new AbortController();
    const tracked: Promise<unknown>[] = [];
    this.current = controller;
    this.outputParent = request;
    setDisplaySink(this.sinkFor(request, controller, tracked));
    this.capture.setTarget((name, text) => this.publish("stream", { name, text }, request));

    let outcome: CellOutcome = await this.executor.execute(code, controller);
    if (outcome.status === "ok") outcome = (await this.executor.settle(tracked, controller)) ?? outcome;
    this.capture.flush();
    this.current = undefined;

    let output: string | null = null;
    if (outcome.status === "ok") {
      const bundle = outcome.hasResult ? resultBundle(outcome.value) : undefined;
      if (bundle !== undefined && !silent) {
        this.publish("execute_result", { execution_count: count, data: bundle, metadata: {} }, request);
        output = typeof bundle["text/plain"] === "string" ? bundle["text/plain"] : null;
      }
      this.reply(channel, request, { status: "ok", execution_count: count, payload: [], user_expressions: this.userExpressions(request.content) });
    } else {
      const error = { ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
      this.publish("error", error, request);
      this.reply(channel, request, { status: "error", execution_count: count, ...error });
      if (stopOnError) this.abortQueuedUpTo = this.received;
    }
    if (storeHistory) this.history.push({ session: 1, line: count, input: code, output });
  }

  private sinkFor(parent: JupyterMessage, controller: AbortController, tracked: Promise<unknown>[]): DisplaySink {
    const flushFirst = (): void => this.capture.flush();
    return {
      signal: controller.signal,
      display: (data, metadata, transient) => {
        flushFirst();
        this.publish("display_data", { data, metadata, transient }, parent);
      },
      update: (data, metadata, displayId) => {
        flushFirst();
        this.publish("update_display_data", { data, metadata, transient: { display_id: displayId } }, parent);
      },
      clear: (wait) => {
        flushFirst();
        this.publish("clear_output", { wait }, parent);
      },
      track: (work) => {
        if (this.current === controller) tracked.push(work);
      },
    };
  }

  private userExpressions(content: JsonObject): JsonObject {
    const expressions = content.user_expressions;
    if (typeof expressions !== "object" || expressions === null || Array.isArray(expressions)) return {};
    const out: JsonObject = {};
    for (const [name, expression] of Object.entries(expressions)) {
      try {
        if (typeof expression !== "string") throw new TypeError(`user expression "${name}" is not a string`);
        const value: unknown = runInThisContext(expression);
        out[name] = { status: "ok", data: { "text/plain": inspect(value, { colors: false }) }, metadata: {} };
      } catch (error) {
        out[name] = { status: "error", ...describeError(error, []) };
      }
    }
    return out;
  }

  private async complete(channel: RequestChannel, request: JupyterMessage): Promise<void> {
    const code = stringField(request.content, "code");
    const cursor = toUtf16Offset(code, numberField(request.content, "cursor_pos", code.length));
    const result = await this.executor.complete(code, cursor);
    const start = toCodePointOffset(code, result.start);
    const end = toCodePointOffset(code, result.end);
    this.reply(channel, request, {
      status: "ok",
      matches: result.matches,
      cursor_start: start,
      cursor_end: end,
      metadata: { _jupyter_types_experimental: result.matches.map((text, i) => ({ text, start, end, type: result.kinds[i] ?? "" })) },
    });
  }

  private async inspect(channel: RequestChannel, request: JupyterMessage): Promise<void> {
    const code = stringField(request.content, "code");
    const cursor = toUtf16Offset(code, numberField(request.content, "cursor_pos", code.length));
    const found = await this.executor.inspect(code, cursor);
    if (found === undefined || found.signature === "") {
      this.reply(channel, request, { status: "ok", found: false, data: {}, metadata: {} });
      return;
    }
    const plain = found.documentation === "" ? found.signature : `${found.signature}\n\n${found.documentation}`;
    const markdown = "```typescript\n" + found.signature + "\n```" + (found.documentation === "" ? "" : `\n\n${found.documentation}`);
    this.reply(channel, request, { status: "ok", found: true, data: { "text/plain": plain, "text/markdown": markdown }, metadata: {} });
  }
}

/** Jupyter counts cursor positions in Unicode code points; JavaScript strings in UTF-16 units. */
function toUtf16Offset(text: string, codePoints: number): number {
  let units = 0;
  let points = 0;
  for (const char of text) {
    if (points >= codePoints) break;
    units += char.length;
    points += 1;
  }
  return units;
}

function toCodePointOffset(text: string, units: number): number {
  return [...text.slice(0, units)].length;
}
