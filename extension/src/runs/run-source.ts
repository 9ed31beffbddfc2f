/**
 * Finds training runs: run folders in the workspace (`<runs>/<id>/meta.json` or `history.jsonl`)
 * and, when the job queue exists, jobs from `trainset jobs list --json` (or from a `trainset serve`
 * when `trainset.server.url` is set).
 */
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import * as vscode from "vscode";
import type { RunView } from "../../../webviews/src/protocol/runs.js";
import { runCli } from "../cli/trainset-cli.js";
import { listRemoteJobs } from "./remote-jobs.js";
import { readRunFolder, runsFromJobList } from "./run-reader.js";

/** A configured `trainset serve` backend: its URL and the token read from the token file. */
export interface RemoteServer {
  url: string;
  token: string;
}

/**
 * The remote job backend when `trainset.server.url` is set (trusted workspaces only), else
 * undefined. The token comes from `trainset.server.tokenFile` (relative: to the first workspace
 * folder); it is never stored in settings.
 */
export async function remoteServer(): Promise<RemoteServer | undefined> {
  const config = vscode.workspace.getConfiguration("trainset");
  const url = config.get<string>("server.url", "").trim();
  if (url === "" || !vscode.workspace.isTrusted) return undefined;
  const tokenFile = config.get<string>("server.tokenFile", "").trim();
  if (tokenFile === "") throw new Error(`Cannot use the trainset server ${url}: set trainset.server.tokenFile to a file holding your token`);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const path = isAbsolute(tokenFile) || folder === undefined ? tokenFile : join(folder, tokenFile);
  let token: string;
  try {
    token = (await readFile(path, "utf8")).trim();
  } catch (error) {
    throw new Error(`Cannot read the trainset server token file "${path}": ${error instanceof Error ? error.message : String(error)}`);
  }
  if (token === "") throw new Error(`Cannot use the trainset server ${url}: the token file "${path}" is empty`);
  return { url, token };
}

/** Run folders found under the workspace (`.trainset/runs` included). */
export async function findRunFolders(): Promise<string[]> {
  const markers = await vscode.workspace.findFiles("**/{meta.json,history.jsonl}", "**/{node_modules,.git,images,frames,annotations}/**", 5000);
  return [...new Set(markers.map((uri) => dirname(uri.fsPath)))].sort();
}

/** Reads every run folder, then the job list (trusted workspaces only; silently empty without a queue). */
export async function loadRuns(log: vscode.OutputChannel): Promise<RunView[]> {
  const folders = await findRunFolders();
  const runs = (await Promise.all(folders.map((dir) => readRunFolder(dir)))).filter((run) => run.history.length > 0 || run.status !== "unknown");
  if (vscode.workspace.isTrusted && vscode.workspace.getConfiguration("trainset").get<boolean>("listJobs", true)) {
    try {
      const remote = await remoteServer();
      if (remote !== undefined) {
        runs.push(...(await listRemoteJobs(remote.url, remote.token)).filter((job) => !runs.some((r) => r.id === job.id)));
        return runs;
      }
      const result = await runCli(["jobs", "list", "--json"]);
      if (result.code === 0) runs.push(...runsFromJobList(result.stdout).filter((job) => !runs.some((r) => r.id === job.id)));
      else log.appendLine(`jobs list: ${result.stderr.trim().split("\n")[0] ?? ""}`);
    } catch (error) {
      log.appendLine(`jobs list: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return runs;
}
