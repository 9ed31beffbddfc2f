/**
 * Extension point for the curator editors (issue 11): each entry registers one custom editor and
 * returns its Disposable; `extension.ts` registers them all. `openViewer` opens a dataset with the
 * editor that claims it, or as text when none does.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import type { FoundDataset } from "../explorer/dataset-scanner.js";
import { COCO_VIEW_TYPE, registerCocoEditor } from "./coco/coco-editor-provider.js";
import { JSONL_VIEW_TYPE, registerJsonlViewer } from "./jsonl/jsonl-editor-provider.js";
import { PAIRS_VIEW_TYPE, registerPairsView } from "./pairs/pairs-editor-provider.js";

/** Registers one editor. */
export type EditorRegistration = (context: vscode.ExtensionContext) => vscode.Disposable;

/** A custom editor that opens a dataset kind: its view type and the file it opens for a dataset. */
export interface DatasetViewer {
  viewType: string;
  kinds: readonly FoundDataset["kind"][];
  /** The file to open (e.g. a run-record folder's dataset.json); default: the dataset path. */
  fileFor?: (dataset: FoundDataset) => string;
  /** Whether this viewer takes this dataset (default: every dataset of its kinds). */
  accepts?: (dataset: FoundDataset) => boolean;
}

/** Editor registrations, one per line (the editors issue adds its providers here). */
export const editorRegistrations: readonly EditorRegistration[] = [
  registerCocoEditor,
  registerJsonlViewer,
  registerPairsView,
  // (editors are added one per line above this comment)
];

/** Viewers by dataset kind, one per line (the editors issue adds its custom editors here). */
export const datasetViewers: readonly DatasetViewer[] = [
  { viewType: COCO_VIEW_TYPE, kinds: ["coco"] },
  { viewType: COCO_VIEW_TYPE, kinds: ["run-record"], fileFor: (dataset) => join(dataset.path, "dataset.json"), accepts: (dataset) => existsSync(join(dataset.path, "dataset.json")) },
  { viewType: JSONL_VIEW_TYPE, kinds: ["run-record"], fileFor: (dataset) => join(dataset.path, "manifest.jsonl") },
  { viewType: JSONL_VIEW_TYPE, kinds: ["legacy-jsonl"] },
  { viewType: PAIRS_VIEW_TYPE, kinds: ["pairs"], accepts: (dataset) => dataset.path.endsWith(".jsonl") },
  // (viewers are added one per line above this comment)
];

/** Opens a dataset in its viewer, or its main file as text. */
export async function openViewer(dataset: FoundDataset): Promise<void> {
  const viewer = datasetViewers.find((v) => v.kinds.includes(dataset.kind) && (v.accepts?.(dataset) ?? true));
  if (viewer !== undefined) {
    await vscode.commands.executeCommand("vscode.openWith", vscode.Uri.file(viewer.fileFor?.(dataset) ?? dataset.path), viewer.viewType);
    return;
  }
  if (dataset.kind === "run-record") {
    await vscode.window.showTextDocument(vscode.Uri.file(join(dataset.path, "manifest.jsonl")), { preview: true });
    return;
  }
  if (dataset.kind === "runs-folder") {
    await vscode.commands.executeCommand("trainset.openRunsPanel");
    return;
  }
  await vscode.window.showTextDocument(dataset.uri, { preview: true });
}
