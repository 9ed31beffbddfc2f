/**
 * The COCO custom document: read once into a {@link CocoModel}, edits reported to VS Code for
 * undo/redo and dirty state, atomic save, revert and hot-exit backup.
 * Spec: https://code.visualstudio.com/api/extension-guides/custom-editors#custom-editor
 */
import { readFile } from "node:fs/promises";
import * as vscode from "vscode";
import type { CocoOp } from "../../../../webviews/src/protocol/coco.js";
import { saveAtomic } from "../atomic-save.js";
import { makeEdit, type RejectMode } from "./coco-edits.js";
import { CocoModel, type CocoEdit } from "./coco-model.js";

/** Reads the model from `uri` (the backup when VS Code restores a hot-exited editor). */
async function load(uri: vscode.Uri): Promise<CocoModel> {
  const text = await readFile(uri.fsPath, "utf8");
  return CocoModel.parse(text, uri.fsPath);
}

/** A COCO file open in the box editor. */
export class CocoDocument implements vscode.CustomDocument {
  private readonly changed = new vscode.EventEmitter<{ imageIds: Array<number | string> }>();
  private readonly editsMade = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<CocoDocument>>();
  private readonly contentReset = new vscode.EventEmitter<void>();
  /** Fires with the images touched by an edit, undo or redo. */
  readonly onDidChangeImages = this.changed.event;
  /** Fires for each new edit (VS Code keeps the undo stack and dirty state). */
  readonly onDidEdit = this.editsMade.event;
  /** Fires after revert (every view reloads). */
  readonly onDidReset = this.contentReset.event;

  private current: CocoModel | undefined;
  /** Settles once the file is parsed (the webview loads meanwhile; rejects with the parse error). */
  readonly loaded: Promise<void>;

  private constructor(
    readonly uri: vscode.Uri,
    source: vscode.Uri,
  ) {
    this.loaded = load(source).then((model) => {
      this.current = model;
    });
    this.loaded.catch(() => undefined);
  }

  /** Opens `uri`, or its hot-exit backup; parsing goes on while the editor's webview starts. */
  static open(uri: vscode.Uri, backupId: string | undefined): CocoDocument {
    return new CocoDocument(uri, backupId === undefined ? uri : vscode.Uri.parse(backupId));
  }

  /** The current model (after {@link loaded}). */
  get data(): CocoModel {
    if (this.current === undefined) throw new Error(`Cannot edit "${this.uri.fsPath}": it is still being read`);
    return this.current;
  }

  private get model(): CocoModel {
    return this.data;
  }

  private set model(model: CocoModel) {
    this.current = model;
  }

  /** Applies a curator's request as one undoable edit. */
  perform(op: CocoOp, rejectMode: RejectMode): void {
    const edit = makeEdit(this.model, op, { rejectMode });
    if (edit === null) return;
    this.model.apply(edit);
    const images = imagesOf(edit);
    this.changed.fire({ imageIds: images });
    this.editsMade.fire({
      document: this,
      label: edit.label,
      undo: () => {
        this.model.revert(edit);
        this.changed.fire({ imageIds: images });
      },
      redo: () => {
        this.model.apply(edit);
        this.changed.fire({ imageIds: images });
      },
    });
  }

  /** Writes the current model to `target` atomically (temp file + rename). */
  async saveAs(target: vscode.Uri, cancellation?: vscode.CancellationToken): Promise<void> {
    await this.loaded;
    const text = this.model.serialize();
    if (cancellation?.isCancellationRequested === true) return;
    await saveAtomic(target.fsPath, text);
  }

  /** Rereads the file from disk. */
  async revert(): Promise<void> {
    this.model = await load(this.uri);
    this.contentReset.fire();
  }

  /** Writes a hot-exit backup. */
  async backup(destination: vscode.Uri, cancellation: vscode.CancellationToken): Promise<vscode.CustomDocumentBackup> {
    await this.saveAs(destination, cancellation);
    return {
      id: destination.toString(),
      delete: () => {
        void Promise.resolve(vscode.workspace.fs.delete(destination)).catch(() => undefined);
      },
    };
  }

  /** Releases the emitters. */
  dispose(): void {
    this.changed.dispose();
    this.editsMade.dispose();
    this.contentReset.dispose();
  }
}

function imagesOf(edit: CocoEdit): Array<number | string> {
  const ids = new Set<number | string>();
  for (const c of edit.changes) {
    if (c.before !== null) ids.add(c.before.image_id);
    if (c.after !== null) ids.add(c.after.image_id);
  }
  return [...ids];
}
