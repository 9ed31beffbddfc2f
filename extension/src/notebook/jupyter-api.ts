/**
 * Optional use of Microsoft's Jupyter extension (`ms-toolsai.jupyter`) through @vscode/jupyter-extension:
 * tells which kernel a notebook runs on. Without the extension every call answers "absent".
 */
import type { Jupyter } from "@vscode/jupyter-extension";
import * as vscode from "vscode";

/** The Jupyter extension's API, when installed; activating it may take a moment. */
export async function jupyterApi(): Promise<Jupyter | undefined> {
  const extension = vscode.extensions.getExtension<Jupyter>("ms-toolsai.jupyter");
  if (extension === undefined) return undefined;
  try {
    return extension.isActive ? extension.exports : await extension.activate();
  } catch {
    return undefined;
  }
}

/** Registers "trainset: Show Notebook Kernel": which kernel (trainset or Jupyter's) this notebook uses. */
export function registerKernelInfo(): vscode.Disposable {
  return vscode.commands.registerCommand("trainset.showNotebookKernel", async () => {
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    if (notebook === undefined) return;
    const api = await jupyterApi();
    const kernel = api === undefined ? undefined : await api.kernels.getKernel(notebook.uri);
    const message = kernel !== undefined ? `Jupyter kernel "${kernel.language}" is ${kernel.status} for this notebook (started by the Jupyter extension; "trainset kernel install" makes the trainset kernel selectable there).` : api === undefined ? "The Jupyter extension is not installed: notebooks run on the built-in TypeScript (trainset) controller." : "No Jupyter kernel is running for this notebook; the TypeScript (trainset) controller runs it.";
    void vscode.window.showInformationMessage(`trainset: ${message}`);
  });
}
