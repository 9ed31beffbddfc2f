/**
 * NotebookController "TypeScript (trainset)" for `.ipynb`: runs cells in the trainset kernel over
 * the Jupyter protocol (through the bridge), streams outputs, updates displays in place, interrupts
 * (state kept) and restarts. Works without Microsoft's Jupyter extension.
 * Spec: https://code.visualstudio.com/api/extension-guides/notebook#controller
 */
import { dirname } from "node:path";
import * as vscode from "vscode";
import { KernelSession } from "./kernel-session.js";
import { mapOutput, type OutputItemPart } from "./output-map.js";

/** The controller id (what `notebook.selectKernel` takes). */
export const CONTROLLER_ID = "trainset-kernel";

/** This extension's id (`publisher.name`). */
export const EXTENSION_ID = "trainset.trainset-vscode";

function toItem(part: OutputItemPart): vscode.NotebookCellOutputItem {
  if (part.encoding === "json") return vscode.NotebookCellOutputItem.json(part.value, part.mime);
  if (part.encoding === "base64") return new vscode.NotebookCellOutputItem(Buffer.from(String(part.value), "base64"), part.mime);
  return vscode.NotebookCellOutputItem.text(String(part.value), part.mime);
}

interface DisplayRef {
  cell: vscode.NotebookCell;
  output: vscode.NotebookCellOutput;
}

/** Registers the controller, its restart/interrupt commands and kernel cleanup. */
export function registerTrainsetController(log: vscode.OutputChannel): vscode.Disposable {
  const controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, "jupyter-notebook", "TypeScript (trainset)");
  controller.supportedLanguages = ["typescript", "javascript"];
  controller.supportsExecutionOrder = true;
  controller.description = "trainset Jupyter kernel";
  controller.detail = "Runs TypeScript cells in the trainset kernel (system Node)";
  const sessions = new Map<string, KernelSession>();
  const displays = new Map<string, DisplayRef>();
  const active = new Map<string, vscode.NotebookCellExecution>();
  let executionOrder = 0;

  const sessionFor = (notebook: vscode.NotebookDocument): KernelSession => {
    const key = notebook.uri.toString();
    let session = sessions.get(key);
    if (session === undefined) {
      const cwd = notebook.uri.scheme === "file" ? dirname(notebook.uri.fsPath) : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd());
      session = new KernelSession(cwd, log, () => sessions.get(key) === session && sessions.delete(key));
      sessions.set(key, session);
    }
    return session;
  };

  const runCell = async (cell: vscode.NotebookCell, session: KernelSession): Promise<boolean> => {
    const execution = controller.createNotebookCellExecution(cell);
    active.set(cell.notebook.uri.toString(), execution);
    execution.start(Date.now());
    await execution.clearOutput();
    let last: { output: vscode.NotebookCellOutput; stream: "stdout" | "stderr" | undefined } | undefined;
    let clearPending = false;
    let chain = Promise.resolve();
    const enqueue = (work: () => Thenable<void>): void => {
      chain = chain.then(work, work);
    };
    const done = await session
      .execute(cell.document.getText(), {
        onOutput: (msgType, content) => {
          const part = mapOutput(msgType, content);
          if (part === undefined) return;
          if (part.kind === "clear") {
            if (part.wait) clearPending = true;
            else enqueue(async () => {
              await execution.clearOutput();
              last = undefined;
            });
            return;
          }
          if (clearPending && part.kind !== "update") {
            clearPending = false;
            enqueue(async () => {
              await execution.clearOutput();
              last = undefined;
            });
          }
          enqueue(async () => {
            if (part.kind === "stream") {
              const item = part.name === "stderr" ? vscode.NotebookCellOutputItem.stderr(part.text) : vscode.NotebookCellOutputItem.stdout(part.text);
              if (last?.stream === part.name) await execution.appendOutputItems(item, last.output);
              else {
                const output = new vscode.NotebookCellOutput([item]);
                await execution.appendOutput(output);
                last = { output, stream: part.name };
              }
            } else if (part.kind === "update") {
              const ref = displays.get(part.displayId);
              if (ref === undefined) return;
              if (ref.cell === cell) await execution.replaceOutputItems(part.items.map(toItem), ref.output);
              else {
                // The display lives in a finished cell: a short execution on that cell replaces it in place.
                const other = controller.createNotebookCellExecution(ref.cell);
                other.start();
                await other.replaceOutputItems(part.items.map(toItem), ref.output);
                other.end(true);
              }
            } else if (part.kind === "rich") {
              const output = new vscode.NotebookCellOutput(part.items.map(toItem), part.displayId === undefined ? {} : { display_id: part.displayId });
              await execution.appendOutput(output);
              last = { output, stream: undefined };
              if (part.displayId !== undefined) displays.set(part.displayId, { cell, output });
            } else {
              await execution.appendOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: part.name, message: part.message, stack: part.stack })]));
              last = undefined;
            }
          });
        },
      })
      .catch((error: unknown) => {
        enqueue(() => execution.appendOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(error instanceof Error ? error : new Error(String(error)))])));
        return { status: "error" as const, executionCount: null };
      });
    await chain;
    execution.executionOrder = done.executionCount ?? ++executionOrder;
    if (done.executionCount !== null) executionOrder = done.executionCount;
    execution.end(done.status === "ok", Date.now());
    active.delete(cell.notebook.uri.toString());
    return done.status === "ok";
  };

  controller.executeHandler = async (cells, notebook) => {
    let session: KernelSession;
    try {
      session = sessionFor(notebook);
    } catch (error) {
      void vscode.window.showErrorMessage(`trainset: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const cell of cells) {
      if (cell.kind !== vscode.NotebookCellKind.Code) continue;
      if (!(await runCell(cell, session))) break;
    }
  };
  controller.interruptHandler = (notebook) => {
    sessions.get(notebook.uri.toString())?.interrupt();
  };

  // Prefer this controller for notebooks saved with the trainset kernel spec.
  const prefer = (notebook: vscode.NotebookDocument): void => {
    const spec = (notebook.metadata as { metadata?: { kernelspec?: { name?: unknown } } }).metadata?.kernelspec;
    if (spec?.name === "trainset") controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
  };
  vscode.workspace.notebookDocuments.forEach(prefer);

  return vscode.Disposable.from(
    controller,
    vscode.workspace.onDidOpenNotebookDocument(prefer),
    vscode.workspace.onDidCloseNotebookDocument((notebook) => {
      const key = notebook.uri.toString();
      sessions.get(key)?.dispose();
      sessions.delete(key);
    }),
    vscode.commands.registerCommand("trainset.restartKernel", async () => {
      const notebook = vscode.window.activeNotebookEditor?.notebook;
      const session = notebook === undefined ? undefined : sessions.get(notebook.uri.toString());
      if (session === undefined) {
        void vscode.window.showInformationMessage("trainset: no trainset kernel is running for this notebook.");
        return;
      }
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: "Restarting the trainset kernel" }, () => session.restart());
      executionOrder = 0;
    }),
    vscode.commands.registerCommand("trainset.selectKernel", async () => {
      const editor = vscode.window.activeNotebookEditor;
      if (editor === undefined) return;
      await vscode.commands.executeCommand("notebook.selectKernel", { notebookEditor: editor, id: CONTROLLER_ID, extension: EXTENSION_ID });
    }),
    vscode.commands.registerCommand("trainset.interruptKernel", () => {
      const notebook = vscode.window.activeNotebookEditor?.notebook;
      if (notebook !== undefined) sessions.get(notebook.uri.toString())?.interrupt();
    }),
    { dispose: () => [...sessions.values()].forEach((s) => s.dispose()) },
  );
}
