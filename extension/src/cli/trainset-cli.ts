/**
 * Runs the `trainset` CLI as a child process with the system Node (the extension host loads no
 * native module), cancellable through a CancellationToken, under a progress notification.
 */
import { spawn } from "node:child_process";
import * as vscode from "vscode";
import { locateCli, missingCliMessage } from "./cli-locate.js";

/** Options of {@link runCli}. */
export interface RunCliOptions {
  cwd?: string;
  token?: vscode.CancellationToken;
  /** Called with every stderr chunk (progress lines). */
  onStderr?: (text: string) => void;
}

/** What a CLI run produced. */
export interface RunCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  cancelled: boolean;
}

/** Thrown when the CLI cannot be found or started; the message says how to fix it. */
export class CliUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliUnavailableError";
  }
}

function folders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
}

/** The Node executable the CLI and kernel run with (`trainset.nodePath`, default `node`). */
export function nodeExecutable(): string {
  const configured = vscode.workspace.getConfiguration("trainset").get<string>("nodePath", "");
  return configured !== "" ? configured : "node";
}

/** The CLI script, or throws {@link CliUnavailableError} with the fix. */
export function cliScript(): string {
  const configured = vscode.workspace.getConfiguration("trainset").get<string>("cliPath", "");
  const located = locateCli({ configured, folders: folders(), env: process.env.TRAINSET_CLI });
  if (!located.found) throw new CliUnavailableError(missingCliMessage(located.tried));
  return located.script;
}

/** Throws when the workspace is not trusted: nothing is executed there. */
export function requireTrust(action: string): void {
  if (!vscode.workspace.isTrusted) throw new CliUnavailableError(`Cannot ${action}: the workspace is not trusted, so trainset runs nothing here (viewing still works). Trust the workspace to run it.`);
}

/**
 * Runs `trainset <args>` and collects its output; the token kills it (SIGINT, then SIGKILL).
 * @example const { stdout } = await runCli(["stats", "--json", dir]);
 */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<RunCliResult> {
  requireTrust(`run trainset ${args[0] ?? ""}`);
  const script = cliScript();
  return new Promise((resolve, reject) => {
    const child = spawn(nodeExecutable(), [script, ...args], { cwd: options.cwd ?? folders()[0], stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    let cancelled = false;
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
      options.onStderr?.(text);
    });
    const subscription = options.token?.onCancellationRequested(() => {
      cancelled = true;
      child.kill("SIGINT");
      setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 3000).unref();
    });
    child.once("error", (error) => {
      subscription?.dispose();
      reject(new CliUnavailableError(`Cannot start trainset with "${nodeExecutable()}": ${error.message}. Set "trainset.nodePath" to a Node 20+ executable.`));
    });
    child.once("close", (code) => {
      subscription?.dispose();
      resolve({ code, stdout, stderr, cancelled });
    });
  });
}

/**
 * Runs the CLI under a cancellable progress notification titled `title`.
 * @example await runCliWithProgress("Validating coco/dataset.json", ["validate", "--json", file]);
 */
export function runCliWithProgress(title: string, args: readonly string[], options: Omit<RunCliOptions, "token" | "onStderr"> = {}): Thenable<RunCliResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
    runCli(args, {
      ...options,
      token,
      onStderr: (text) => {
        const line = text.trim().split(/\r|\n/).pop();
        if (line !== undefined && line !== "") progress.report({ message: line.slice(0, 120) });
      },
    }),
  );
}

/** Shows an error from a CLI run or a thrown error, with the CLI's last stderr lines. */
export function showCliError(action: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  void vscode.window.showErrorMessage(`trainset: cannot ${action}: ${message}`);
}

/** The last lines of a failed run's stderr, for a message. */
export function stderrTail(result: RunCliResult, lines = 4): string {
  return result.stderr.trim().split("\n").slice(-lines).join(" ");
}
