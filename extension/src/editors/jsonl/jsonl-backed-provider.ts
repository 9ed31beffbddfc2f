/**
 * What the editors over a {@link JsonlDocument} share (the JSONL viewer, the preference pairs
 * view): opening the document, reporting its edits to VS Code, save, save as, revert and backup,
 * and their registration with an "Open in …" command. Each editor adds its own webview.
 * Spec: https://code.visualstudio.com/api/extension-guides/custom-editors#custom-editor
 */
import * as vscode from "vscode";
import { JsonlDocument } from "./jsonl-document.js";

/** A custom editor whose document is a JSONL file. */
export abstract class JsonlBackedEditorProvider implements vscode.CustomEditorProvider<JsonlDocument> {
  private readonly edits = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<JsonlDocument>>();
  readonly onDidChangeCustomDocument = this.edits.event;

  constructor(
    protected readonly context: vscode.ExtensionContext,
    private readonly openOptions: { holdIndexingAfter?: number } = {},
  ) {}

  async openCustomDocument(uri: vscode.Uri, openContext: vscode.CustomDocumentOpenContext): Promise<JsonlDocument> {
    const document = await JsonlDocument.open(uri, openContext.backupId, this.openOptions);
    document.onDidEdit((e) => this.edits.fire(e));
    return document;
  }

  abstract resolveCustomEditor(document: JsonlDocument, panel: vscode.WebviewPanel): void | Promise<void>;

  async saveCustomDocument(document: JsonlDocument): Promise<void> {
    await document.saveAs(document.uri);
  }

  async saveCustomDocumentAs(document: JsonlDocument, destination: vscode.Uri): Promise<void> {
    await document.model.save(destination.fsPath);
  }

  async revertCustomDocument(document: JsonlDocument): Promise<void> {
    await document.reload();
  }

  async backupCustomDocument(document: JsonlDocument, context: vscode.CustomDocumentBackupContext): Promise<vscode.CustomDocumentBackup> {
    return document.backup(context.destination);
  }
}

/** Registers `provider` for `viewType` and the command that opens a file (or the active one) in it. */
export function registerJsonlBackedEditor(viewType: string, provider: JsonlBackedEditorProvider, command: string): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.window.registerCustomEditorProvider(viewType, provider, { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false }),
    vscode.commands.registerCommand(command, async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (target !== undefined) await vscode.commands.executeCommand("vscode.openWith", target, viewType);
    }),
  );
}
