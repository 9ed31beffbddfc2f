/**
 * The preference pairs view over a pairs JSONL file (`trainset historical` output): one group at a
 * time, winner beside its losers; flip the winner, mark tie or skip, undo, save. Reuses the JSONL
 * document (line index, undoable line edits, atomic save).
 */
import { existsSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import * as vscode from "vscode";
import { isMessage, type Message } from "../../../../webviews/src/protocol/messages.js";
import { PAIRS_TO_HOST, type PairGroupView, type PairImage, type PairsToHost, type PairsToWebview } from "../../../../webviews/src/protocol/jsonl.js";
import { webviewHtml, webviewOptions } from "../../webview/webview-html.js";
import { isInside } from "../coco/coco-images.js";
import { JsonlBackedEditorProvider, registerJsonlBackedEditor } from "../jsonl/jsonl-backed-provider.js";
import type { JsonlDocument } from "../jsonl/jsonl-document.js";
import { applyPairOp } from "./pair-edits.js";

/** The view type in package.json's `customEditors`. */
export const PAIRS_VIEW_TYPE = "trainset.pairsView";

type Obj = Record<string, unknown>;

function groupView(text: string, pos: number, root: string, uri: (path: string) => string): PairGroupView {
  const base: PairGroupView = { pos, line: pos + 1, project: "", timestamp: "", winner: null, losers: [], review: null, flipped: false, error: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    return { ...base, error: `line ${pos + 1} is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ...base, error: `line ${pos + 1} is not an object` };
  const r = value as Obj;
  const meta = (typeof r["metadata"] === "object" && r["metadata"] !== null ? r["metadata"] : {}) as Obj;
  const rawDir = typeof meta["raw_dir"] === "string" ? meta["raw_dir"] : "";
  const image = (path: unknown, stage: unknown): PairImage | null => {
    if (typeof path !== "string") return null;
    const full = resolve(root, rawDir, path);
    return { path, stage: typeof stage === "number" ? stage : null, src: isInside(root, full) && existsSync(full) ? uri(full) : null };
  };
  const negs = Array.isArray(r["neg_paths"]) ? (r["neg_paths"] as unknown[]) : [];
  const stages = Array.isArray(r["neg_stages"]) ? (r["neg_stages"] as unknown[]) : [];
  return {
    ...base,
    project: typeof r["project"] === "string" ? r["project"] : "",
    timestamp: typeof r["timestamp"] === "string" ? r["timestamp"] : "",
    winner: image(r["chosen_path"], r["chosen_stage"]),
    losers: negs.map((p, i) => image(p, stages[i])).filter((x): x is PairImage => x !== null),
    review: typeof r["review"] === "string" ? r["review"] : null,
    flipped: r["flipped"] === true,
  };
}

class PairsEditorProvider extends JsonlBackedEditorProvider {
  constructor(context: vscode.ExtensionContext) {
    super(context);
  }

  resolveCustomEditor(document: JsonlDocument, panel: vscode.WebviewPanel): void {
    const root = dirname(document.uri.fsPath);
    const webview = panel.webview;
    webview.options = webviewOptions(this.context.extensionUri, [vscode.Uri.file(root)]);
    webview.html = webviewHtml(webview, this.context.extensionUri, { title: basename(document.uri.fsPath), script: "pairs.js" });
    const post = (message: Message<PairsToWebview>): Thenable<boolean> => webview.postMessage(message);
    const uri = (path: string): string => webview.asWebviewUri(vscode.Uri.file(path)).toString();
    const disposables = [
      document.onDidChangeContent(() => void post({ type: "changed", body: null })),
      document.onDidIndex(() => void post({ type: "changed", body: null })),
      webview.onDidReceiveMessage(async (raw: unknown) => {
        if (!isMessage<PairsToHost>(raw, PAIRS_TO_HOST)) return;
        const message = raw;
        try {
          switch (message.type) {
            case "ready":
              return;
            case "getGroup": {
              const model = document.model;
              const total = model.index.available;
              const pos = Math.max(0, Math.min(message.body.pos, total - 1));
              const [text] = total === 0 ? [] : await model.lines(pos, pos + 1);
              await post({ type: "group", body: { requestId: message.body.requestId, total, done: model.index.done, group: text === undefined ? null : groupView(text, pos, root, uri) } });
              return;
            }
            case "flip": {
              const winner = message.body.winner;
              await document.rewrite([message.body.line - 1], "Flip winner", (text) => applyPairOp(text, { op: "flip", winner }));
              return;
            }
            case "mark": {
              const mark = message.body.mark;
              await document.rewrite([message.body.line - 1], mark === null ? "Clear mark" : `Mark ${mark}`, (text) => applyPairOp(text, { op: "mark", mark }));
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
    panel.onDidDispose(() => {
      for (const d of disposables) d.dispose();
    });
  }
}

/** Registers the preference pairs view and its "Open in Pairs View" command. */
export function registerPairsView(context: vscode.ExtensionContext): vscode.Disposable {
  return registerJsonlBackedEditor(PAIRS_VIEW_TYPE, new PairsEditorProvider(context), "trainset.openPairsView");
}
