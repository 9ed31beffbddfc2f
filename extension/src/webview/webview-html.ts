/**
 * HTML shell for trainset webviews: CSP `default-src 'none'`, one script by nonce, styles and
 * images from the webview's own source only. Spec: https://code.visualstudio.com/api/extension-guides/webview#security
 */
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";

/** Options of {@link webviewHtml}. */
export interface WebviewHtmlOptions {
  title: string;
  /** Bundle file under `dist/webviews/`, e.g. `stats.js`. */
  script: string;
}

/** Webview options limited to the extension's bundles (plus extra roots such as a dataset folder). */
export function webviewOptions(extensionUri: vscode.Uri, extraRoots: readonly vscode.Uri[] = []): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist", "webviews"), vscode.Uri.joinPath(extensionUri, "media"), ...extraRoots] };
}

/** The page that loads one bundle. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, options: WebviewHtmlOptions): string {
  const nonce = randomBytes(16).toString("base64");
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webviews", options.script));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "media", "webview.css"));
  // vega compiles expressions without eval (ast interpreter), so no 'unsafe-eval' is needed.
  const csp = [`default-src 'none'`, `img-src ${webview.cspSource} blob: data:`, `style-src ${webview.cspSource} 'unsafe-inline'`, `script-src 'nonce-${nonce}'`, `font-src ${webview.cspSource}`].join("; ");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><link rel="stylesheet" href="${style.toString()}"><title>${options.title}</title></head>
<body><div id="root">Loading…</div><script nonce="${nonce}" src="${script.toString()}"></script></body></html>`;
}
