/** The training runs view and panel commands. */
import * as vscode from "vscode";
import type { RunView } from "../../../webviews/src/protocol/runs.js";
import { loadRuns } from "./run-source.js";
import { RunsPanel } from "./runs-panel.js";
import { RunsTreeProvider } from "./runs-tree.js";

/** Registers the runs view, its refresh on history changes and the panel commands. */
export function registerRuns(context: vscode.ExtensionContext, log: vscode.OutputChannel): vscode.Disposable {
  const provider = new RunsTreeProvider();
  const view = vscode.window.createTreeView("trainset.runs", { treeDataProvider: provider, canSelectMany: true });
  const refresh = async (): Promise<RunView[]> => {
    const runs = await loadRuns(log);
    provider.setRuns(runs);
    return runs;
  };
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void refresh().catch((error: unknown) => log.appendLine(`runs: ${String(error)}`)), 1000);
  };
  const watcher = vscode.workspace.createFileSystemWatcher("**/{meta.json,history.jsonl}");
  schedule();
  return vscode.Disposable.from(
    view,
    provider,
    watcher,
    watcher.onDidCreate(schedule),
    watcher.onDidChange(schedule),
    watcher.onDidDelete(schedule),
    vscode.commands.registerCommand("trainset.refreshRuns", () => refresh()),
    vscode.commands.registerCommand("trainset.openRunsPanel", async (run?: RunView, many?: RunView[]) => {
      const runs = provider.runs.length > 0 ? provider.runs : await refresh();
      RunsPanel.show(context, runs);
      void many;
      void run;
    }),
    { dispose: () => timer !== undefined && clearTimeout(timer) },
  );
}
