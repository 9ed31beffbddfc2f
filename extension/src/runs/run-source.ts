/**
 * Finds training runs: run folders in the workspace (`<runs>/<id>/meta.json` or `history.jsonl`)
 * and, when the job queue exists, jobs from `trainset jobs list --json`.
 */
import { dirname } from "node:path";
import * as vscode from "vscode";
import type { RunView } from "../../../webviews/src/protocol/runs.js";
import { runCli } from "../cli/trainset-cli.js";
import { readRunFolder, runsFromJobList } from "./run-reader.js";

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
      const result = await runCli(["jobs", "list", "--json"]);
      if (result.code === 0) runs.push(...runsFromJobList(result.stdout).filter((job) => !runs.some((r) => r.id === job.id)));
      else log.appendLine(`jobs list: ${result.stderr.trim().split("\n")[0] ?? ""}`);
    } catch (error) {
      log.appendLine(`jobs list: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return runs;
}
