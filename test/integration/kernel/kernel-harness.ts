/**
 * Test harness: starts the real trainset kernel process (the argv its kernel spec uses) with a
 * fresh connection file on free ports, and talks to it over ZMQ like a Jupyter client.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Server } from "node:net";
import { join } from "node:path";
import { Dealer, Subscriber } from "zeromq";
import { buildKernelSpec } from "../../../kernel/src/jupyter/kernel-spec.js";
import { createHeader, parseMessage, serializeMessage, type JsonObject, type JupyterMessage } from "../../../kernel/src/jupyter/messages.js";
import { createSigner, type MessageSigner } from "../../../kernel/src/jupyter/signing.js";

/** A message received by the test client, with the time it arrived. */
export interface Received extends JupyterMessage {
  at: number;
}

/** What an execute request produced. */
export interface ExecuteResult {
  reply: Received;
  /** iopub messages between busy and idle (status messages excluded). */
  outputs: Received[];
}

/** Free TCP ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A kernel process plus a connected client. */
export class KernelHarness {
  readonly session = `test-${randomBytes(4).toString("hex")}`;
  stderr = "";
  private readonly iopubLog: Received[] = [];
  private readonly shellReplies = new Map<string, (message: Received) => void>();
  private readonly waiters: Array<() => void> = [];
  private constructor(
    readonly process: ChildProcess,
    readonly signer: MessageSigner,
    private readonly shell: Dealer,
    private readonly control: Dealer,
    private readonly iopub: Subscriber,
  ) {}

  /** Starts a kernel whose notebook folder (cwd) is `cwd`. */
  static async start(cwd: string, connectionDir: string): Promise<KernelHarness> {
    const [shellPort, controlPort, iopubPort, stdinPort, hbPort] = await freePorts(5);
    const key = randomBytes(16).toString("hex");
    const connectionFile = join(connectionDir, `kernel-${randomBytes(4).toString("hex")}.json`);
    await writeFile(connectionFile, JSON.stringify({ transport: "tcp", ip: "127.0.0.1", shell_port: shellPort, control_port: controlPort, iopub_port: iopubPort, stdin_port: stdinPort, hb_port: hbPort, key, signature_scheme: "hmac-sha256" }));
    const argv = buildKernelSpec().argv.map((arg) => (arg === "{connection_file}" ? connectionFile : arg));
    const child = spawn(argv[0] ?? process.execPath, argv.slice(1), { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const shell = new Dealer({ linger: 0 });
    const control = new Dealer({ linger: 0 });
    const iopub = new Subscriber({ linger: 0 });
    shell.connect(`tcp://127.0.0.1:${shellPort}`);
    control.connect(`tcp://127.0.0.1:${controlPort}`);
    iopub.connect(`tcp://127.0.0.1:${iopubPort}`);
    iopub.subscribe();
    const harness = new KernelHarness(child, createSigner(key), shell, control, iopub);
    child.stderr?.setEncoding("utf8").on("data", (text: string) => (harness.stderr += text));
    child.stdout?.resume();
    void harness.pump(shell);
    void harness.pump(control);
    void harness.pumpIopub();
    // Like jupyter_client: repeat kernel_info until iopub shows it is connected too.
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`kernel exited early (${child.exitCode}):\n${harness.stderr}`);
      const reply = await harness.request("shell", "kernel_info_request", {}, 1000).catch(() => undefined);
      if (reply !== undefined && harness.iopubFor(reply.parentHeader.msg_id ?? "").length > 0) return harness;
      if (Date.now() > deadline) throw new Error(`kernel did not answer kernel_info:\n${harness.stderr}`);
    }
  }

  /** Builds and signs a request; `sign: false` sends a wrong signature. */
  frames(type: string, content: JsonObject, options: { sign?: boolean } = {}): { frames: Buffer[]; msgId: string } {
    const message: JupyterMessage<JsonObject> = { identities: [], header: { ...createHeader(type, this.session), username: "test" }, parentHeader: {}, metadata: {}, content, buffers: [] };
    const frames = serializeMessage(message, this.signer);
    if (options.sign === false) frames[1] = Buffer.from("0".repeat(64));
    return { frames, msgId: message.header.msg_id };
  }

  /** Sends a request and resolves with its reply. */
  async request(channel: "shell" | "control", type: string, content: JsonObject, timeoutMs = 30_000): Promise<Received> {
    const { frames, msgId } = this.frames(type, content);
    const reply = this.replyTo(msgId, timeoutMs);
    await (channel === "shell" ? this.shell : this.control).send(frames);
    return reply;
  }

  /** Sends raw frames on shell. */
  async sendRaw(frames: Buffer[]): Promise<void> {
    await this.shell.send(frames);
  }

  /** Resolves with the reply to `msgId`, or rejects after `timeoutMs`. */
  replyTo(msgId: string, timeoutMs = 30_000): Promise<Received> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.shellReplies.delete(msgId);
        reject(new Error(`no reply to ${msgId} within ${timeoutMs} ms; kernel stderr:\n${this.stderr}`));
      }, timeoutMs);
      this.shellReplies.set(msgId, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }

  /** Runs code and collects everything it published until idle. */
  async execute(code: string, options: { timeoutMs?: number; onSent?: () => void } = {}): Promise<ExecuteResult> {
    const { frames, msgId } = this.frames("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false });
    const reply = this.replyTo(msgId, options.timeoutMs ?? 30_000);
    await this.shell.send(frames);
    options.onSent?.();
    const received = await reply;
    await this.until(() => this.iopubFor(msgId).some((m) => m.header.msg_type === "status" && m.content.execution_state === "idle"), options.timeoutMs ?? 30_000);
    const outputs = this.iopubFor(msgId).filter((m) => m.header.msg_type !== "status" && m.header.msg_type !== "execute_input");
    return { reply: received, outputs };
  }

  /** iopub messages whose parent is `msgId`, in arrival order. */
  iopubFor(msgId: string): Received[] {
    return this.iopubLog.filter((m) => m.parentHeader.msg_id === msgId);
  }

  /** Waits until `predicate` holds (checked on every iopub message). */
  async until(predicate: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms; kernel stderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Stops the kernel: shutdown request, then SIGKILL if it lingers. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.process.exitCode !== null) resolve(this.process.exitCode);
      else this.process.once("exit", (code) => resolve(code));
    });
    if (this.process.exitCode === null) {
      await this.request("control", "shutdown_request", { restart: false }, 3000).catch(() => undefined);
      const timer = setTimeout(() => this.process.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    this.shell.close();
    this.control.close();
    this.iopub.close();
    return exited;
  }

  private async pump(socket: Dealer): Promise<void> {
    try {
      for await (const frames of socket) {
        const parsed = parseMessage(frames, this.signer);
        if (!parsed.ok) continue;
        const message = { ...parsed.message, at: Date.now() };
        const parentId = message.parentHeader.msg_id;
        if (parentId !== undefined) {
          const resolve = this.shellReplies.get(parentId);
          this.shellReplies.delete(parentId);
          resolve?.(message);
        }
      }
    } catch {
      // socket closed
    }
  }

  private async pumpIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const parsed = parseMessage(frames, this.signer);
        if (!parsed.ok) continue;
        this.iopubLog.push({ ...parsed.message, at: Date.now() });
        for (const wake of this.waiters.splice(0)) wake();
      }
    } catch {
      // socket closed
    }
  }
}
