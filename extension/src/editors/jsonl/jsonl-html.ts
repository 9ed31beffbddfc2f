/**
 * The JSONL viewer's page. Same policy as the shared shell (extension/src/webview/webview-html.ts:
 * CSP `default-src 'none'`, one script by nonce, images from the webview's source, `blob:`,
 * `data:`), but the bundle, the stylesheet and the first page of lines are inline: the table is
 * drawn while VS Code writes the page into the webview frame, with no resource fetch through the
 * webview's service worker and no `ready` → `query` → `page` round trip before the first rows.
 * Spec: https://code.visualstudio.com/api/extension-guides/webview#security
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import * as vscode from "vscode";
import { JSONL_INIT_ELEMENT, type JsonlInit } from "../../../../webviews/src/protocol/jsonl.js";

/** Bundle and stylesheet texts by path, read once per extension host. */
const texts = new Map<string, Promise<string | undefined>>();

/** The text of `uri`, or undefined when it cannot be read or cannot sit inside an HTML element. */
function inlineText(uri: vscode.Uri, closing: string): Promise<string | undefined> {
  let text = texts.get(uri.fsPath);
  if (text === undefined) {
    text = readFile(uri.fsPath, "utf8").then(
      (t) => (t.toLowerCase().includes(closing) || t.includes("<!--") ? undefined : t),
      () => undefined,
    );
    texts.set(uri.fsPath, text);
  }
  return text;
}

/** JSON that is safe inside a `<script type="application/json">` element (no `<` at all). */
function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The viewer's HTML with `init` embedded; falls back to linking the bundle or stylesheet if one cannot be inlined. */
export async function jsonlHtml(webview: vscode.Webview, extensionUri: vscode.Uri, init: JsonlInit): Promise<string> {
  const nonce = randomBytes(16).toString("base64");
  const scriptUri = vscode.Uri.joinPath(extensionUri, "dist", "webviews", "jsonl.js");
  const styleUri = vscode.Uri.joinPath(extensionUri, "media", "webview.css");
  const [script, style] = await Promise.all([inlineText(scriptUri, "</script"), inlineText(styleUri, "</style")]);
  const csp = [`default-src 'none'`, `img-src ${webview.cspSource} blob: data:`, `style-src ${webview.cspSource} 'unsafe-inline'`, `script-src 'nonce-${nonce}'`, `font-src ${webview.cspSource}`].join("; ");
  const styleTag = style !== undefined ? `<style>${style}</style>` : `<link rel="stylesheet" href="${webview.asWebviewUri(styleUri).toString()}">`;
  const scriptTag = script !== undefined ? `<script nonce="${nonce}">${script}</script>` : `<script nonce="${nonce}" src="${webview.asWebviewUri(scriptUri).toString()}"></script>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">${styleTag}<title>${escapeHtml(init.title)}</title></head>
<body><div id="root">Loading…</div><script type="application/json" id="${JSONL_INIT_ELEMENT}">${jsonForHtml(init)}</script>${scriptTag}</body></html>`;
}
