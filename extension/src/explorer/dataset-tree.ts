/** The "Datasets" tree: one group per kind, one item per dataset with counts and a problem badge. */
import { basename } from "node:path";
import * as vscode from "vscode";
import { KIND_TITLES, type DatasetKind } from "./dataset-kind.js";
import { describeCounts } from "./dataset-report.js";
import type { FoundDataset } from "./dataset-scanner.js";
import type { DatasetStore } from "./dataset-store.js";

/** A node of the tree: a kind group or a dataset. */
export type DatasetNode = { type: "group"; kind: DatasetKind; count: number } | { type: "dataset"; dataset: FoundDataset };

/** The tree data provider over a {@link DatasetStore}. */
export class DatasetTreeProvider implements vscode.TreeDataProvider<DatasetNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DatasetNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: DatasetStore) {
    this.subscription = store.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: DatasetNode): DatasetNode[] {
    if (node === undefined) {
      const kinds = Object.keys(KIND_TITLES) as DatasetKind[];
      return kinds.flatMap((kind) => {
        const count = this.store.datasets.filter((d) => d.kind === kind).length;
        return count > 0 ? [{ type: "group" as const, kind, count }] : [];
      });
    }
    if (node.type === "group") return this.store.datasets.filter((d) => d.kind === node.kind).map((dataset) => ({ type: "dataset" as const, dataset }));
    return [];
  }

  getTreeItem(node: DatasetNode): vscode.TreeItem {
    if (node.type === "group") {
      const item = new vscode.TreeItem(KIND_TITLES[node.kind], vscode.TreeItemCollapsibleState.Expanded);
      item.description = String(node.count);
      item.id = `group:${node.kind}`;
      item.contextValue = "trainset.group";
      return item;
    }
    const { dataset } = node;
    const relative = vscode.workspace.asRelativePath(dataset.uri, false);
    const item = new vscode.TreeItem(relative === dataset.path ? basename(dataset.path) : relative, vscode.TreeItemCollapsibleState.None);
    item.id = `dataset:${dataset.path}`;
    item.resourceUri = dataset.uri;
    const counts = this.store.counts.get(dataset.path);
    const validation = this.store.validation.get(dataset.path);
    const problems = validation === undefined ? 0 : validation.errors + validation.warnings;
    const parts = [counts === undefined ? "" : describeCounts(counts)];
    if (validation !== undefined && problems > 0) parts.push(`⚠ ${validation.errors} error${validation.errors === 1 ? "" : "s"}, ${validation.warnings} warning${validation.warnings === 1 ? "" : "s"}`);
    item.description = parts.filter((p) => p !== "").join("  ");
    item.iconPath = problems > 0 ? new vscode.ThemeIcon("warning", new vscode.ThemeColor(validation !== undefined && validation.errors > 0 ? "problemsErrorIcon.foreground" : "problemsWarningIcon.foreground")) : new vscode.ThemeIcon(dataset.kind === "runs-folder" ? "graph-line" : dataset.kind === "run-record" ? "folder-library" : "database");
    item.tooltip = new vscode.MarkdownString(`**${KIND_TITLES[dataset.kind]}** \`${dataset.path}\`\n\n${item.description === "" ? "(counts need a trusted workspace)" : item.description}`);
    item.contextValue = `trainset.dataset.${dataset.kind}`;
    item.command = { command: "trainset.openDataset", title: "Open", arguments: [node] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
