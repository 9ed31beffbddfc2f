/**
 * The COCO box editor: a CustomEditorProvider whose document is a {@link CocoDocument} and whose
 * webview shows the virtualized grid, filters, detail view and statistics (webviews/src/editors/coco).
 * Spec: https://code.visualstudio.com/api/extension-guides/custom-editors
 */
import { basename, dirname } from "node:path";
import * as vscode from "vscode";
import { isMessage, type Message } from "../../../../webviews/src/protocol/messages.js";
import { COCO_TO_HOST, type CocoFilter, type CocoToHost, type CocoToWebview } from "../../../../webviews/src/protocol/coco.js";
import { webviewHtml, webviewOptions } from "../../webview/webview-html.js";
import { categoryColor } from "./category-color.js";
import { CocoDocument } from "./coco-document.js";
import type { RejectMode } from "./coco-edits.js";
import { locateImage } from "./coco-images.js";
import { fileNameOf, imageView, queryCoco, type QueryResult } from "./coco-query.js";

/** The view type in package.json's `customEditors`. */
export const COCO_VIEW_TYPE = "trainset.cocoEditor";

function rejectMode(): RejectMode {
  return vscode.workspace.getConfiguration("trainset").get<string>("rejectMode") === "remove" ? "remove" : "flag";
}

/** Serves one document to its webviews. */
class CocoEditorProvider implements vscode.CustomEditorProvider<CocoDocument> {
  private readonly edits = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<CocoDocument>>();
  readonly onDidChangeCustomDocument = this.edits.event;

  constructor(private readonly context: vscode.ExtensionContext) {}

  openCustomDocument(uri: vscode.Uri, openContext: vscode.CustomDocumentOpenContext): CocoDocument {
    const document = CocoDocument.open(uri, openContext.backupId);
    // The subscription ends with the document's emitter (disposed in CocoDocument.dispose).
    document.onDidEdit((e) => this.edits.fire(e));
    return document;
  }

  resolveCustomEditor(document: CocoDocument, panel: vscode.WebviewPanel): void {
    // A run-record annotations/<id>.json shows images/<id>.png of its dataset folder, so the
    // parent folder is a resource root too when the file sits in annotations/.
    const folder = dirname(document.uri.fsPath);
    const rootFor = (): string => (document.data.kind === "coco" ? folder : dirname(folder));
    const webview = panel.webview;
    webview.options = webviewOptions(this.context.extensionUri, [vscode.Uri.file(basename(folder) === "annotations" ? dirname(folder) : folder)]);
    webview.html = webviewHtml(webview, this.context.extensionUri, { title: basename(document.uri.fsPath), script: "coco.js" });
    const post = (message: Message<CocoToWebview>): Thenable<boolean> => webview.postMessage(message);
    let cache: { key: string; version: number; result: QueryResult } | undefined;
    let version = 0;
    const resolve = (image: Record<string, unknown>): string | null => {
      const path = locateImage(rootFor(), fileNameOf(image));
      return path === null ? null : webview.asWebviewUri(vscode.Uri.file(path)).toString();
    };
    const query = (filter: CocoFilter): QueryResult => {
      const key = JSON.stringify(filter);
      if (cache?.key !== key || cache.version !== version) cache = { key, version, result: queryCoco(document.data, filter) };
      return cache.result;
    };
    const sendInit = (): void => {
      const model = document.data;
      const sources = new Set<string>();
      for (const ann of model.annotationList) sources.add(typeof ann.source === "string" ? ann.source : "unknown");
      void post({
        type: "init",
        body: {
          title: basename(document.uri.fsPath),
          categories: model.categories.map((c, i) => ({ id: c["id"] as number | string, name: String(c["name"] ?? c["id"]), color: categoryColor(i) })),
          sources: [...sources].sort(),
          imageCount: model.images.length,
          annotationCount: model.annotationList.length,
          rejectMode: rejectMode(),
        },
      });
    };
    const disposables: vscode.Disposable[] = [
      document.onDidChangeImages((body) => {
        version++;
        void post({ type: "changed", body });
      }),
      document.onDidReset(() => {
        version++;
        sendInit();
      }),
      webview.onDidReceiveMessage(async (raw: unknown) => {
        if (!isMessage<CocoToHost>(raw, COCO_TO_HOST)) return;
        try {
          await document.loaded;
          this.handle(raw, document, { post, query, resolve, sendInit });
        } catch (error: unknown) {
          void post({ type: "error", body: { message: error instanceof Error ? error.message : String(error) } });
        }
      }),
    ];
    panel.onDidDispose(() => {
      for (const d of disposables) d.dispose();
    });
  }

  private handle(message: Message<CocoToHost>, document: CocoDocument, io: { post: (m: Message<CocoToWebview>) => Thenable<boolean>; query: (f: CocoFilter) => QueryResult; resolve: (image: Record<string, unknown>) => string | null; sendInit: () => void }): void {
    switch (message.type) {
      case "ready":
        io.sendInit();
        return;
      case "query": {
        const { requestId, filter, offset, limit } = message.body;
        const result = io.query(filter);
        const images = result.imageIndexes.slice(offset, offset + Math.min(limit, 500)).map((i) => imageView(document.data, i, io.resolve)).filter((v) => v !== null);
        void io.post({ type: "page", body: { requestId, offset, total: result.imageIndexes.length, images, counts: result.counts, stats: result.stats } });
        return;
      }
      case "getImage": {
        const index = document.data.images.findIndex((img) => img["id"] === message.body.imageId);
        void io.post({ type: "image", body: { requestId: message.body.requestId, image: index < 0 ? null : imageView(document.data, index, io.resolve) } });
        return;
      }
      case "edit":
        document.perform(message.body, rejectMode());
        return;
      case "undo":
        void vscode.commands.executeCommand("undo");
        return;
      case "redo":
        void vscode.commands.executeCommand("redo");
        return;
    }
  }

  async saveCustomDocument(document: CocoDocument, cancellation: vscode.CancellationToken): Promise<void> {
    await document.saveAs(document.uri, cancellation);
  }

  async saveCustomDocumentAs(document: CocoDocument, destination: vscode.Uri, cancellation: vscode.CancellationToken): Promise<void> {
    await document.saveAs(destination, cancellation);
  }

  async revertCustomDocument(document: CocoDocument): Promise<void> {
    await document.revert();
  }

  async backupCustomDocument(document: CocoDocument, context: vscode.CustomDocumentBackupContext, cancellation: vscode.CancellationToken): Promise<vscode.CustomDocumentBackup> {
    return document.backup(context.destination, cancellation);
  }
}

/** Registers the COCO box editor and its "Open in COCO Box Editor" command (explorer file or active editor). */
export function registerCocoEditor(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.window.registerCustomEditorProvider(COCO_VIEW_TYPE, new CocoEditorProvider(context), { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false }),
    vscode.commands.registerCommand("trainset.openCocoEditor", async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (target === undefined) {
        void vscode.window.showWarningMessage("Cannot open the COCO box editor: no COCO .json file is selected");
        return;
      }
      await vscode.commands.executeCommand("vscode.openWith", target, COCO_VIEW_TYPE);
    }),
  );
}
