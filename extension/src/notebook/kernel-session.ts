/**
 * One notebook's kernel: `trainset kernel bridge` run with the system Node (the bridge owns the
 * ZMQ sockets; the extension host loads no native module), spoken to in JSON lines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import type * as vscode from "vscode";
import type { BridgeOutputType, FromBridge, ToBridge } from "../../../kernel/src/jupyter/bridge-protocol.js";
import { cliScript, nodeExecutable, requireTrust } from "../cli/trainset-cli.js";

/** Callbacks of one execution. */
export interface ExecutionHandlers {
  onOutput(msgType: BridgeOutputType, content: Record<string, unknown>): void;
}

/** How an execution ended. */
export interface ExecutionDone {
  status: "ok" | "error" | "aborted";
  executionCount: number | null;
}

/** A running kernel bridge for one notebook. */
export class KernelSession implements vscode.Disposable {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly running = new Map<string, { handlers: ExecutionHandlers; done: (result: ExecutionDone) => void }>();
  private readonly readyPromise: Promise<void>;
  private restartWaiter: (() => void) | undefined;
  private exited = false;

  constructor(cwd: string, private readonly log: vscode.OutputChannel, onExit: () => void) {
    requireTrust("start the trainset kernel");
    this.child = spawn(nodeExecutable(), [cliScript(), "kernel", "bridge", "--cwd", cwd], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    let markReady: () => void = () => undefined;
    let fail: (error: Error) => void = () => undefined;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      let event: FromBridge;
      try {
        event = JSON.parse(line) as FromBridge;
      } catch {
        this.log.appendLine(`[bridge] ${line}`);
        return;
      }
      if (event.type === "ready") markReady();
      this.onEvent(event);
    });
    this.child.stderr.setEncoding("utf8").on("data", (text: string) => this.log.append(`[kernel] ${text}`));
    this.child.once("error", (error) => fail(new Error(`Cannot start the trainset kernel with "${nodeExecutable()}": ${error.message}`)));
    this.child.once("exit", (code) => {
      this.exited = true;
      fail(new Error(`The trainset kernel bridge exited (code ${String(code)}) before it was ready; see the "trainset" output.`));
      this.finishAll();
      onExit();
    });
  }

  /** Resolves when the kernel answered kernel_info. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  private send(request: ToBridge): void {
    if (!this.exited) this.child.stdin.write(`${JSON.stringify(request)}\n`);
  }

  private onEvent(event: FromBridge): void {
    switch (event.type) {
      case "output":
        this.running.get(event.id)?.handlers.onOutput(event.msgType, event.content);
        break;
      case "done": {
        const entry = this.running.get(event.id);
        this.running.delete(event.id);
        entry?.done({ status: event.status, executionCount: event.executionCount });
        break;
      }
      case "restarted":
        this.restartWaiter?.();
        break;
      case "log":
        this.log.append(event.message);
        break;
      case "exited":
        this.log.appendLine(`trainset kernel exited (code ${String(event.code)})`);
        this.finishAll();
        break;
      case "ready":
        this.log.appendLine(`trainset kernel ready (${event.implementation}, TypeScript ${event.languageVersion})`);
    }
  }

  private finishAll(): void {
    for (const [id, entry] of this.running) {
      this.running.delete(id);
      entry.done({ status: "aborted", executionCount: null });
    }
  }

  /** Runs code; resolves when the kernel is idle again after it. */
  async execute(code: string, handlers: ExecutionHandlers): Promise<ExecutionDone> {
    await this.ready();
    const id = randomUUID();
    const done = new Promise<ExecutionDone>((resolve) => this.running.set(id, { handlers, done: resolve }));
    this.send({ type: "execute", id, code });
    return done;
  }

  /** Interrupts the running cell; the kernel keeps its state. */
  interrupt(): void {
    this.send({ type: "interrupt" });
  }

  /** Restarts the kernel (fresh state); resolves when the new one is ready. */
  async restart(): Promise<void> {
    const restarted = new Promise<void>((resolve) => (this.restartWaiter = resolve));
    this.send({ type: "restart" });
    await restarted;
  }

  dispose(): void {
    this.send({ type: "shutdown" });
    this.child.stdin.end();
    const timer = setTimeout(() => !this.exited && this.child.kill("SIGKILL"), 5000);
    timer.unref();
  }
}
