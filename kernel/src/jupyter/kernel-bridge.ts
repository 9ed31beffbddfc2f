/**
 * A Jupyter client for editors that cannot load native modules: it starts the trainset kernel with
 * a fresh connection file, talks ZMQ to it, and exchanges JSON lines ({@link ToBridge} /
 * {@link FromBridge}) with its parent. Interrupt sends SIGINT (the kernel spec's `interrupt_mode`);
 * restart starts a new kernel process with fresh state.
 * Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Dealer, Subscriber } from "zeromq";
import { BRIDGE_OUTPUT_TYPES, type BridgeOutputType, type FromBridge, type ToBridge } from "./bridge-protocol.js";
import { buildKernelSpec } from "./kernel-spec.js";
import { createHeader, parseMessage, serializeMessage, type JsonObject, type JupyterMessage } from "./messages.js";
import { createSigner, type MessageSigner } from "./signing.js";

/** Options of {@link startKernelBridge}. */
export interface KernelBridgeOptions {
  /** The kernel's working folder (the notebook's folder). */
  cwd: string;
  /** Receives every event for the editor. */
  emit: (event: FromBridge) => void;
  /** Milliseconds to wait for the kernel's first kernel_info reply (default 60000). */
  startTimeoutMs?: number;
}

/** A running bridge. */
export interface KernelBridge {
  /** Handles one request from the editor. */
  handle(request: ToBridge): Promise<void>;
  /** Stops the kernel and closes the sockets. */
  close(): Promise<void>;
}

interface Pending {
  id: string;
  replied: boolean;
  idle: boolean;
  status: "ok" | "error" | "aborted";
  executionCount: number | null;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** One kernel process with its client sockets. */
class KernelConnection {
  private readonly pending = new Map<string, Pending>();
  private closed = false;
  stderr = "";

  private constructor(
    private readonly child: ChildProcess,
    private readonly signer: MessageSigner,
    private readonly shell: Dealer,
    private readonly control: Dealer,
    private readonly iopub: Subscriber,
    private readonly dir: string,
    private readonly emit: (event: FromBridge) => void,
    private readonly session: string,
  ) {}

  static async start(options: KernelBridgeOptions): Promise<KernelConnection> {
    const dir = await mkdtemp(join(tmpdir(), "trainset-bridge-"));
    const [shellPort, controlPort, iopubPort, stdinPort, hbPort] = await freePorts(5);
    const key = randomBytes(16).toString("hex");
    const file = join(dir, "connection.json");
    await writeFile(file, JSON.stringify({ transport: "tcp", ip: "127.0.0.1", shell_port: shellPort, control_port: controlPort, iopub_port: iopubPort, stdin_port: stdinPort, hb_port: hbPort, key, signature_scheme: "hmac-sha256" }));
    const argv = buildKernelSpec().argv.map((arg) => (arg === "{connection_file}" ? file : arg));
    const child = spawn(argv[0] ?? process.execPath, argv.slice(1), { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const shell = new Dealer({ linger: 0 });
    const control = new Dealer({ linger: 0 });
    const iopub = new Subscriber({ linger: 0 });
    shell.connect(`tcp://127.0.0.1:${shellPort}`);
    control.connect(`tcp://127.0.0.1:${controlPort}`);
    iopub.connect(`tcp://127.0.0.1:${iopubPort}`);
    iopub.subscribe();
    const connection = new KernelConnection(child, createSigner(key), shell, control, iopub, dir, options.emit, `bridge-${randomBytes(4).toString("hex")}`);
    child.stderr?.setEncoding("utf8").on("data", (text: string) => {
      connection.stderr = (connection.stderr + text).slice(-8000);
      options.emit({ type: "log", message: text });
    });
    child.stdout?.resume();
    void connection.pump();
    await connection.waitForKernelInfo(options.startTimeoutMs ?? 60_000);
    return connection;
  }

  get process(): ChildProcess {
    return this.child;
  }

  private send(socket: Dealer, type: string, content: JsonObject): string {
    const message: JupyterMessage<JsonObject> = { identities: [], header: { ...createHeader(type, this.session), username: "vscode" }, parentHeader: {}, metadata: {}, content, buffers: [] };
    void socket.send(serializeMessage(message, this.signer)).catch(() => undefined);
    return message.header.msg_id;
  }

  /** Repeats kernel_info until iopub shows the kernel's status too (so no output is missed). */
  private async waitForKernelInfo(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let sawIopub = false;
    let info: JsonObject | undefined;
    const onShell = async (): Promise<void> => {
      for await (const frames of this.shell) {
        const parsed = parseMessage(frames, this.signer);
        if (!parsed.ok) continue;
        if (parsed.message.header.msg_type === "kernel_info_reply") info = parsed.message.content;
        else this.onShellReply(parsed.message);
        if (this.closed) return;
      }
    };
    void onShell().catch(() => undefined);
    this.onFirstIopub = () => (sawIopub = true);
    while (info === undefined || !sawIopub) {
      if (this.child.exitCode !== null) throw new Error(`Cannot start the trainset kernel: it exited with code ${this.child.exitCode}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`Cannot start the trainset kernel: no kernel_info reply within ${timeoutMs} ms\n${this.stderr}`);
      this.send(this.shell, "kernel_info_request", {});
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const language = info.language_info as { version?: unknown } | undefined;
    this.emit({ type: "ready", implementation: typeof info.implementation === "string" ? info.implementation : "trainset", languageVersion: typeof language?.version === "string" ? language.version : "" });
  }

  private onFirstIopub: (() => void) | undefined;

  private async pump(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const parsed = parseMessage(frames, this.signer);
        if (!parsed.ok) continue;
        this.onFirstIopub?.();
        this.onIopub(parsed.message);
      }
    } catch {
      // the socket was closed
    }
  }

  private onIopub(message: JupyterMessage): void {
    const parentId = message.parentHeader.msg_id;
    const pending = parentId === undefined ? undefined : this.pending.get(parentId);
    if (pending === undefined || parentId === undefined) return;
    const type = message.header.msg_type;
    if (type === "status" && message.content.execution_state === "idle") {
      pending.idle = true;
      this.finish(parentId, pending);
    } else if ((BRIDGE_OUTPUT_TYPES as readonly string[]).includes(type)) {
      this.emit({ type: "output", id: pending.id, msgType: type as BridgeOutputType, content: message.content });
    }
  }

  private onShellReply(message: JupyterMessage): void {
    const parentId = message.parentHeader.msg_id;
    const pending = parentId === undefined ? undefined : this.pending.get(parentId);
    if (pending === undefined || parentId === undefined || message.header.msg_type !== "execute_reply") return;
    pending.replied = true;
    const status = message.content.status;
    pending.status = status === "ok" ? "ok" : status === "aborted" ? "aborted" : "error";
    const count = message.content.execution_count;
    pending.executionCount = typeof count === "number" ? count : null;
    this.finish(parentId, pending);
  }

  private finish(msgId: string, pending: Pending): void {
    if (!pending.replied || !pending.idle) return;
    this.pending.delete(msgId);
    this.emit({ type: "done", id: pending.id, status: pending.status, executionCount: pending.executionCount });
  }

  execute(id: string, code: string): void {
    const msgId = this.send(this.shell, "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    this.pending.set(msgId, { id, replied: false, idle: false, status: "ok", executionCount: null });
  }

  interrupt(): void {
    // interrupt_mode "signal": SIGINT breaks even a synchronous loop (vm breakOnSigint).
    this.child.kill("SIGINT");
  }

  /** Reports every unfinished cell as aborted (the kernel went away). */
  abortAll(): void {
    for (const [msgId, pending] of this.pending) {
      this.pending.delete(msgId);
      this.emit({ type: "done", id: pending.id, status: "aborted", executionCount: null });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.child.exitCode === null) {
      this.send(this.control, "shutdown_request", { restart: false });
      const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    this.abortAll();
    this.shell.close();
    this.control.close();
    this.iopub.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts the kernel and returns a bridge that forwards requests to it.
 * @example
 * const bridge = await startKernelBridge({ cwd, emit: (e) => process.stdout.write(JSON.stringify(e) + "\n") });
 * await bridge.handle({ type: "execute", id: "c1", code: "1 + 1" });
 */
export async function startKernelBridge(options: KernelBridgeOptions): Promise<KernelBridge> {
  let connection = await KernelConnection.start(options);
  const watchExit = (c: KernelConnection): void => {
    c.process.once("exit", (code) => {
      if (c !== connection) return;
      c.abortAll();
      options.emit({ type: "exited", code });
    });
  };
  watchExit(connection);
  return {
    async handle(request) {
      switch (request.type) {
        case "execute":
          connection.execute(request.id, request.code);
          break;
        case "interrupt":
          connection.interrupt();
          break;
        case "restart": {
          const old = connection;
          connection = await KernelConnection.start(options);
          watchExit(connection);
          await old.close();
          options.emit({ type: "restarted" });
          break;
        }
        case "shutdown":
          await connection.close();
          break;
      }
    },
    async close() {
      await connection.close();
    },
  };
}
