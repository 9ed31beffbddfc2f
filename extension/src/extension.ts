/** Entry point: wires the explorer, notebook controller, runs view and editors. Logic lives in the folders. */
import * as vscode from "vscode";
import { editorRegistrations } from "./editors/index.js";
import { registerDatasetCommands } from "./explorer/dataset-commands.js";
import { registerExplorer } from "./explorer/register-explorer.js";
import { registerKernelInfo } from "./notebook/jupyter-api.js";
import { registerNewNotebook } from "./notebook/new-notebook.js";
import { registerTrainsetController } from "./notebook/trainset-controller.js";
import { registerRuns } from "./runs/register-runs.js";

/** Called by VS Code on the first activation event. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("trainset");
  const { explorer, disposable } = registerExplorer(log);
  context.subscriptions.push(
    log,
    disposable,
    registerDatasetCommands(explorer, context),
    registerTrainsetController(log),
    registerNewNotebook(explorer.store),
    registerKernelInfo(),
    registerRuns(context, log),
    ...editorRegistrations.map((register) => register(context)),
  );
}

/** Nothing to do: every resource is in context.subscriptions. */
export function deactivate(): void {}
