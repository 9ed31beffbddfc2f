/**
 * The JSONL viewer: a CustomEditorProvider over {@link JsonlDocument}; the webview
 * (webviews/src/editors/jsonl) shows a virtualized table and asks for pages of lines.
 * Spec: https://code.visualstudio.com/api/extension-guides/custom-editors
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import * as vscode from "vscode";
import { isMessage, type Message } from "../../../../webviews/src/protocol/messages.js";
import { JSONL_TO_HOST, type JsonlInit, type JsonlPage, type JsonlToHost, type JsonlToWebview, type RowView } from "../../../../webviews/src/protocol/jsonl.js";
import { webviewOptions } from "../../webview/webview-html.js";
import { isInside } from "../coco/coco-images.js";
import { COCO_VIEW_TYPE } from "../coco/coco-editor-provider.js";
import { JsonlBackedEditorProvider, registerJsonlBackedEditor } from "./jsonl-backed-provider.js";
import type { JsonlDocument } from "./jsonl-document.js";
import { jsonlHtml } from "./jsonl-html.js";

/** The view type in package.json's `customEditors`. */
export const JSONL_VIEW_TYPE = "trainset.jsonlViewer";

const IMAGE = /\.(png|jpe?g|gif|webp|bmp)$/i;
/** Rows of the page embedded in the HTML (the webview's page size). */
const FIRST_PAGE = 200;
/**
 * How long the page may wait for the first lines to be indexed before it is sent without them
 * (the first chunk is 256 KB, so this only matters for very long lines or a slow disk).
 */
const FIRST_PAGE_WAIT_MS = 300;

/** Thumbnails for a row's string fields that name an image inside `root`. */
function thumbsOf(text: string, root: string, webview: vscode.Webview): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string" || !IMAGE.test(v)) continue;
    const path = resolve(root, v);
    if (isInside(root, path) && existsSync(path)) out[key] = webview.asWebviewUri(vscode.Uri.file(path)).toString();
  }
  return out;
}

/** The document's {@link JsonlInit} without a page. */
function initOf(document: JsonlDocument): Omit<JsonlInit, "page"> {
  const name = basename(document.uri.fsPath);
  return { title: name, manifest: name === "manifest.jsonl", progress: { lines: document.model.index.available, done: document.model.index.done } };
}

/** The first page of lines, as soon as it is indexed; null when it is not within FIRST_PAGE_WAIT_MS (the webview then asks). */
async function firstPage(document: JsonlDocument, thumbs: (text: string) => Record<string, string>): Promise<JsonlPage | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), FIRST_PAGE_WAIT_MS)));
  try {
    const texts = await Promise.race([document.model.firstLines(FIRST_PAGE), late]);
    if (texts === null || texts.length === 0) return null;
    const total = document.model.index.available;
    return { offset: 0, total, rows: texts.map((text, i) => ({ line: i + 1, text, thumbs: thumbs(text) })) };
  } catch {
    // An unreadable file: the webview asks for the page and shows the error it gets.
    return null;
  } finally {
    clearTimeout(timer);
  }
}

class JsonlEditorProvider extends JsonlBackedEditorProvider {
  constructor(context: vscode.ExtensionContext) {
    super(context, { holdIndexingAfter: FIRST_PAGE });
  }

  async resolveCustomEditor(document: JsonlDocument, panel: vscode.WebviewPanel): Promise<void> {
    const root = dirname(document.uri.fsPath);
    const webview = panel.webview;
    webview.options = webviewOptions(this.context.extensionUri, [vscode.Uri.file(root)]);
    const post = (message: Message<JsonlToWebview>): Thenable<boolean> => webview.postMessage(message);
    let view: { key: string; lines: Promise<number[]> } | undefined;
    // The HTML carries the first page as it was when the editor opened: a webview that loads
    // the HTML again after an edit (a reload) is told to drop it.
    let editedSinceHtml = false;
    const disposables = [
      document.onDidIndex((body) => void post({ type: "progress", body })),
      document.onDidChangeContent(() => {
        view = undefined;
        editedSinceHtml = true;
        void post({ type: "changed", body: null });
      }),
      webview.onDidReceiveMessage(async (raw: unknown) => {
        if (!isMessage<JsonlToHost>(raw, JSONL_TO_HOST)) return;
        try {
          const message = raw;
          switch (message.type) {
            case "ready":
              // The first page is on screen: index the rest of the file now.
              document.resumeIndexing();
              await post({ type: "init", body: { ...initOf(document), page: null } });
              if (editedSinceHtml) await post({ type: "changed", body: null });
              return;
            case "query": {
              const { requestId, search, brokenOnly, offset, limit } = message.body;
              const model = document.model;
              let rows: RowView[];
              let total: number;
              if (search === "" && !brokenOnly) {
                total = model.index.available;
                const texts = await model.lines(offset, offset + Math.min(limit, 1000));
                rows = texts.map((text, i) => ({ line: offset + i + 1, text, thumbs: thumbsOf(text, root, webview) }));
              } else {
                const key = JSON.stringify([search, brokenOnly]);
                if (view?.key !== key) view = { key, lines: model.find(search, brokenOnly) };
                const lines = await view.lines;
                total = lines.length;
                rows = [];
                for (const line of lines.slice(offset, offset + Math.min(limit, 1000))) {
                  const [text = ""] = await model.lines(line, line + 1);
                  rows.push({ line: line + 1, text, thumbs: thumbsOf(text, root, webview) });
                }
              }
              await post({ type: "page", body: { requestId, offset, total, rows } });
              return;
            }
            case "review": {
              const { lines, ...patch } = message.body;
              await document.review(lines.map((l) => l - 1), patch);
              return;
            }
            case "openAnnotations": {
              const [text = ""] = await document.model.lines(message.body.line - 1, message.body.line);
              const entry = JSON.parse(text) as Record<string, unknown>;
              const rel = typeof entry["annotations"] === "string" ? entry["annotations"] : typeof entry["id"] === "string" ? join("annotations", `${entry["id"]}.json`) : undefined;
              const path = rel === undefined ? undefined : resolve(root, rel);
              if (path === undefined || !isInside(root, path) || !existsSync(path)) throw new Error(`Cannot open the annotations of line ${message.body.line}: ${rel ?? "the row names no annotations file"} is not in the dataset folder`);
              await vscode.commands.executeCommand("vscode.openWith", vscode.Uri.file(path), COCO_VIEW_TYPE);
              return;
            }
            case "undo":
            case "redo":
              await vscode.commands.executeCommand(message.type);
              return;
          }
        } catch (error: unknown) {
          await post({ type: "error", body: { message: error instanceof Error ? error.message : String(error) } });
        }
      }),
    ];
    let disposed = false;
    panel.onDidDispose(() => {
      disposed = true;
      document.resumeIndexing();
      for (const d of disposables) d.dispose();
    });
    // The first page goes into the HTML itself, so the table is drawn as the page loads.
    const page = await firstPage(document, (text) => thumbsOf(text, root, webview));
    const html = await jsonlHtml(webview, this.context.extensionUri, { ...initOf(document), page });
    if (!disposed) webview.html = html;
  }
}

/** Registers the JSONL viewer and its "Open in JSONL Viewer" command. */
export function registerJsonlViewer(context: vscode.ExtensionContext): vscode.Disposable {
  return registerJsonlBackedEditor(JSONL_VIEW_TYPE, new JsonlEditorProvider(context), "trainset.openJsonlViewer");
}
