/**
 * The runs panel: live curves (watches each shown run's history.jsonl), overlay, sortable table,
 * CSV export and actions through the CLI, each confirmed first.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as vscode from "vscode";
import { isMessage, type Message } from "../../../webviews/src/protocol/messages.js";
import { RUNS_TO_HOST, type RunAction, type RunView, type RunsToHost, type RunsToWebview } from "../../../webviews/src/protocol/runs.js";
import { runCliWithProgress, showCliError, stderrTail } from "../cli/trainset-cli.js";
import { webviewHtml, webviewOptions } from "../webview/webview-html.js";
import { cancelRemoteJob } from "./remote-jobs.js";
import { actionSteps, addedVersion } from "./run-actions.js";
import { readRunFolder, runsToCsv } from "./run-reader.js";
import { remoteServer } from "./run-source.js";

/** One runs panel (a single instance, revealed again when reopened). */
export class RunsPanel implements vscode.Disposable {
  private static current: RunsPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly watchers = new Map<string, vscode.FileSystemWatcher>();

  private constructor(private readonly panel: vscode.WebviewPanel, private runs: RunView[]) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        if (isMessage<RunsToHost>(raw, RUNS_TO_HOST)) void this.receive(raw);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Opens (or reveals) the panel with `runs`, focusing `focus` when given. */
  static show(context: vscode.ExtensionContext, runs: RunView[]): RunsPanel {
    if (RunsPanel.current !== undefined) {
      RunsPanel.current.setRuns(runs);
      RunsPanel.current.panel.reveal();
      return RunsPanel.current;
    }
    const panel = vscode.window.createWebviewPanel("trainset.runs", "Training Runs", vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri, { title: "Training runs", script: "runs.js" });
    RunsPanel.current = new RunsPanel(panel, runs);
    RunsPanel.current.watch();
    return RunsPanel.current;
  }

  /** Replaces the runs shown. */
  setRuns(runs: RunView[]): void {
    this.runs = runs;
    this.watch();
    void this.post({ type: "init", body: { runs } });
  }

  private post(message: Message<RunsToWebview>): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  private watch(): void {
    for (const run of this.runs.filter((r) => r.source === "folder")) {
      if (this.watchers.has(run.dir)) continue;
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(run.dir), "{history.jsonl,meta.json}"));
      const update = async (): Promise<void> => {
        const fresh = await readRunFolder(run.dir);
        const index = this.runs.findIndex((r) => r.dir === run.dir);
        if (index >= 0) this.runs[index] = fresh;
        await this.post({ type: "history", body: { id: fresh.id, history: fresh.history, status: fresh.status } });
      };
      watcher.onDidChange(() => void update());
      watcher.onDidCreate(() => void update());
      this.watchers.set(run.dir, watcher);
    }
  }

  private async receive(message: Message<RunsToHost>): Promise<void> {
    switch (message.type) {
      case "ready":
        await this.post({ type: "init", body: { runs: this.runs } });
        return;
      case "exportCsv": {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const target = await vscode.window.showSaveDialog({ filters: { CSV: ["csv"] }, ...(folder === undefined ? {} : { defaultUri: vscode.Uri.file(join(folder.fsPath, "runs.csv")) }) });
        if (target === undefined) return;
        await writeFile(target.fsPath, runsToCsv(this.runs));
        void vscode.window.showInformationMessage(`trainset: ${this.runs.length} runs written to ${target.fsPath}.`);
        return;
      }
      case "action":
        await this.act(message.body.action, message.body.id);
    }
  }

  private async act(action: RunAction, id: string): Promise<void> {
    const run = this.runs.find((r) => r.id === id);
    if (run === undefined) return;
    let model = "";
    if (action !== "cancel") {
      const typed = await vscode.window.showInputBox({ title: `Model name to ${action}`, value: vscode.workspace.getConfiguration("trainset").get<string>("defaultModel", "frame-importance") });
      if (typed === undefined || typed === "") return;
      model = typed;
    }
    let restoreVersion = "";
    if (action === "restore") {
      const typed = await vscode.window.showInputBox({ title: `Version of "${model}" to restore (trainset models list --model ${model})`, placeHolder: "v1" });
      if (typed === undefined || typed === "") return;
      restoreVersion = typed;
    }
    const what = action === "cancel" ? `Cancel job ${id}?` : action === "deploy" ? `Deploy run ${id} as the active version of "${model}"? The deployment gate compares its metric with the active version.` : action === "restore" ? `Restore version ${restoreVersion} of "${model}"?` : `Revert "${model}" to its default version?`;
    const confirmed = await vscode.window.showWarningMessage(what, { modal: true }, "Yes");
    if (confirmed !== "Yes") return;
    try {
      const remote = action === "cancel" && run.source === "job" ? await remoteServer() : undefined;
      if (remote !== undefined) {
        // A server-listed job is cancelled on that server, not through the local CLI.
        const answer = await cancelRemoteJob(remote.url, remote.token, run.id).then(
          (cancelled) => ({ ok: true, message: `cancel done: job ${cancelled.id} is ${cancelled.status}` }),
          (error: unknown) => ({ ok: false, message: `cancel refused: ${error instanceof Error ? error.message : String(error)}` }),
        );
        await this.post({ type: "actionResult", body: { action, id, ...answer } });
        if (answer.ok) void vscode.window.showInformationMessage(`trainset: ${answer.message}`);
        else void vscode.window.showErrorMessage(`trainset: ${answer.message}`);
        return;
      }
      let version = "";
      let detail = "";
      let ok = true;
      for (const step of actionSteps(action, run, model, restoreVersion)) {
        const args = step.map((arg) => (arg === "{version}" ? version : arg));
        const result = await runCliWithProgress(`trainset ${args.slice(0, 2).join(" ")}`, args);
        ok = result.code === 0;
        detail = ok ? result.stdout.trim().slice(0, 400) : stderrTail(result) || result.stdout.trim().slice(0, 400) || `exit code ${String(result.code)}`;
        if (!ok) break;
        version = addedVersion(result.stdout) ?? version;
      }
      const message = `${action} ${ok ? "done" : "refused"}: ${detail}`;
      await this.post({ type: "actionResult", body: { action, id, ok, message } });
      if (ok) void vscode.window.showInformationMessage(`trainset: ${message}`);
      else void vscode.window.showErrorMessage(`trainset: ${message}`);
    } catch (error) {
      showCliError(action, error);
    }
  }

  dispose(): void {
    RunsPanel.current = undefined;
    for (const watcher of this.watchers.values()) watcher.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
