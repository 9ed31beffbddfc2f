/** Command "trainset: New Experiment Notebook": an untitled .ipynb from the template, on the selected dataset. */
import * as vscode from "vscode";
import type { DatasetStore } from "../explorer/dataset-store.js";
import { CONTROLLER_ID, EXTENSION_ID } from "./trainset-controller.js";
import { TRAINSET_NOTEBOOK_METADATA, experimentCells } from "./experiment-template.js";

/** Registers the command. */
export function registerNewNotebook(store: DatasetStore): vscode.Disposable {
  return vscode.commands.registerCommand("trainset.newExperimentNotebook", async (node?: { type: string; dataset?: { path: string } }) => {
    const dataset = (node?.type === "dataset" && node.dataset !== undefined ? store.find(node.dataset.path) : undefined) ?? store.selected;
    const label = dataset === undefined ? undefined : vscode.workspace.asRelativePath(dataset.uri);
    const cells = experimentCells(dataset?.path, dataset?.kind, label).map((cell) =>
      cell.kind === "markdown" ? new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, cell.source, "markdown") : new vscode.NotebookCellData(vscode.NotebookCellKind.Code, cell.source, "typescript"),
    );
    const data = new vscode.NotebookData(cells);
    data.metadata = { metadata: TRAINSET_NOTEBOOK_METADATA };
    const notebook = await vscode.workspace.openNotebookDocument("jupyter-notebook", data);
    await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand("notebook.selectKernel", { id: CONTROLLER_ID, extension: EXTENSION_ID });
  });
}
