/** The "Training Runs" tree: runs on disk and queued/running jobs, with state and key metrics. */
import * as vscode from "vscode";
import type { RunView } from "../../../webviews/src/protocol/runs.js";

const STATE_ICONS: Record<string, string> = { completed: "pass", Completed: "pass", running: "sync~spin", Running: "sync~spin", Queued: "clock", cancelled: "circle-slash", Cancelled: "circle-slash", Failed: "error" };

/** Key metrics for a run's description, e.g. `15 epochs · test.map 0.838`. */
export function describeRun(run: RunView): string {
  const parts = [run.status];
  if (run.epochs > 0) parts.push(`${run.epochs} epoch${run.epochs === 1 ? "" : "s"}`);
  for (const key of ["test.map", "test_tuned.macro_f1", "final.val_loss", "progress_percent"]) {
    const value = run.metrics[key];
    if (value !== undefined) parts.push(`${key} ${Number.isInteger(value) ? value : value.toFixed(3)}`);
  }
  return parts.join(" · ");
}

/** The tree data provider over the runs list. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunView>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  runs: RunView[] = [];

  /** Replaces the runs. */
  setRuns(runs: RunView[]): void {
    this.runs = runs;
    this.changed.fire(undefined);
  }

  getChildren(node?: RunView): RunView[] {
    return node === undefined ? this.runs : [];
  }

  getTreeItem(run: RunView): vscode.TreeItem {
    const item = new vscode.TreeItem(run.id, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.dir}`;
    item.description = describeRun(run);
    item.iconPath = new vscode.ThemeIcon(STATE_ICONS[run.status] ?? "circle-outline");
    item.tooltip = `${run.source === "job" ? "job" : run.dir}\n${describeRun(run)}`;
    item.contextValue = `trainset.run.${run.source}`;
    item.command = { command: "trainset.openRunsPanel", title: "Open Runs Panel", arguments: [run] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
