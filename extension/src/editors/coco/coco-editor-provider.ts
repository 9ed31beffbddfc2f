/**
 * The COCO box editor: a CustomEditorProvider whose document is a {@link CocoDocument} and whose
 * webview shows the virtualized grid, filters, detail view and statistics (webviews/src/editors/coco).
 * Spec: https://code.visualstudio.com/api/extension-guides/custom-editors
 */
import { basename, dirname } from "node:path";
import * as vscode from "vscode";
import { isMessage, type Message } from "../../../../webviews/src/protocol/messages.js";
import { COCO_TO_HOST, type CocoPage, type CocoToHost, type CocoToWebview, type ImageView } from "../../../../webviews/src/protocol/coco.js";
import { webviewHtml, webviewOptions } from "../../webview/webview-html.js";
import { CocoDocument, type CocoOpened } from "./coco-document.js";
import type { RejectMode } from "./coco-edits.js";
import type { WorkerImage, WorkerPage, WorkerPreview } from "./coco-worker-protocol.js";

/** The view type in package.json's `customEditors`. */
export const COCO_VIEW_TYPE = "trainset.cocoEditor";

function rejectMode(): RejectMode {
  return vscode.workspace.getConfiguration("trainset").get<string>("rejectMode") === "remove" ? "remove" : "flag";
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Serves one document to its webviews. */
class CocoEditorProvider implements vscode.CustomEditorProvider<CocoDocument> {
  private readonly edits = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<CocoDocument>>();
  readonly onDidChangeCustomDocument = this.edits.event;

  constructor(private readonly context: vscode.ExtensionContext) {}

  openCustomDocument(uri: vscode.Uri, openContext: vscode.CustomDocumentOpenContext): CocoDocument {
    // The worker bundle sits next to extension.cjs (extension/scripts/build.mjs builds both).
    const workerPath = vscode.Uri.joinPath(this.context.extensionUri, "dist", "coco-worker.cjs").fsPath;
    const document = CocoDocument.open(uri, openContext.backupId, workerPath);
    // The subscription ends with the document's emitter (disposed in CocoDocument.dispose).
    document.onDidEdit((e) => this.edits.fire(e));
    return document;
  }

  resolveCustomEditor(document: CocoDocument, panel: vscode.WebviewPanel): void {
    // A run-record annotations/<id>.json shows images/<id>.png of its dataset folder, so the
    // parent folder is a resource root too when the file sits in annotations/.
    const folder = dirname(document.uri.fsPath);
    const title = basename(document.uri.fsPath);
    const webview = panel.webview;
    webview.options = webviewOptions(this.context.extensionUri, [vscode.Uri.file(basename(folder) === "annotations" ? dirname(folder) : folder)]);
    webview.html = webviewHtml(webview, this.context.extensionUri, { title, script: "coco.js" });
    const post = (message: Message<CocoToWebview>): Thenable<boolean> => webview.postMessage(message);
    // The worker finds image files; only the webview URI is made here.
    const view = ({ path, ...image }: WorkerImage): ImageView => ({ ...image, src: path === null ? null : webview.asWebviewUri(vscode.Uri.file(path)).toString() });
    const page = (p: WorkerPage): CocoPage => ({ ...p, images: p.images.map(view) });
    let ready = false;
    let initSent = false;
    const sendInit = ({ summary, first }: CocoOpened): void => {
      initSent = true;
      void post({ type: "init", body: { title, categories: summary.categories, sources: summary.sources, imageCount: summary.imageCount, annotationCount: summary.annotationCount, rejectMode: rejectMode(), first: page(first) } });
    };
    const sendPreview = ({ images, withBoxes }: WorkerPreview): void => {
      if (ready && !initSent) void post({ type: "preview", body: { title, images: images.map(view), withBoxes } });
    };
    const fail = (error: unknown): void => {
      void post({ type: "error", body: { message: messageOf(error) } });
    };
    const disposables: vscode.Disposable[] = [
      document.onDidPreview(sendPreview),
      document.onDidChangeImages((body) => {
        void post({ type: "changed", body });
      }),
      document.onDidReset(sendInit),
      webview.onDidReceiveMessage(async (raw: unknown) => {
        if (!isMessage<CocoToHost>(raw, COCO_TO_HOST)) return;
        if (raw.type === "ready") {
          ready = true;
          initSent = false;
          if (document.opened === undefined && document.preview !== undefined) sendPreview(document.preview);
          document.loaded.then(sendInit, fail);
          return;
        }
        try {
          await this.handle(raw, document, { post, page, view });
        } catch (error: unknown) {
          fail(error);
        }
      }),
    ];
    panel.onDidDispose(() => {
      for (const d of disposables) d.dispose();
    });
  }

  private async handle(message: Exclude<Message<CocoToHost>, { type: "ready" }>, document: CocoDocument, io: { post: (m: Message<CocoToWebview>) => Thenable<boolean>; page: (p: WorkerPage) => CocoPage; view: (image: WorkerImage) => ImageView }): Promise<void> {
    switch (message.type) {
      case "query": {
        const { requestId, filter, offset, limit } = message.body;
        const result = await document.page(filter, offset, limit);
        void io.post({ type: "page", body: { requestId, ...io.page(result) } });
        return;
      }
      case "getImage": {
        const image = await document.image(message.body.imageId);
        void io.post({ type: "image", body: { requestId: message.body.requestId, image: image === null ? null : io.view(image) } });
        return;
      }
      case "edit":
        await document.perform(message.body, rejectMode());
        return;
      case "undo":
        await vscode.commands.executeCommand("undo");
        return;
      case "redo":
        await vscode.commands.executeCommand("redo");
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
