/** The statistics webview: tables and Vega-Lite charts of `trainset stats --json`. */
import * as vscode from "vscode";
import { isMessage, type Message } from "../../../webviews/src/protocol/messages.js";
import { STATS_TO_HOST, type DatasetCounts, type StatsToHost, type StatsToWebview } from "../../../webviews/src/protocol/stats.js";
import { webviewHtml, webviewOptions } from "../webview/webview-html.js";

/** Opens a panel showing `datasets`. */
export function showStatsPanel(context: vscode.ExtensionContext, title: string, datasets: DatasetCounts[]): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel("trainset.stats", `Stats: ${title}`, vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
  panel.webview.html = webviewHtml(panel.webview, context.extensionUri, { title: "trainset statistics", script: "stats.js" });
  const post = (message: Message<StatsToWebview>): Thenable<boolean> => panel.webview.postMessage(message);
  const subscription = panel.webview.onDidReceiveMessage((raw: unknown) => {
    if (!isMessage<StatsToHost>(raw, STATS_TO_HOST)) return;
    if (raw.type === "ready") void post({ type: "init", body: { title, datasets } });
  });
  panel.onDidDispose(() => {
    subscription.dispose();
  });
  return panel;
}
