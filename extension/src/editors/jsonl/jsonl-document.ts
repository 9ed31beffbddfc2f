/** The JSONL custom document: a {@link JsonlModel} with undoable review edits, atomic save, revert and backup. */
import * as vscode from "vscode";
import type { ReviewPatch, JsonlEdit } from "./jsonl-model.js";
import { JsonlModel } from "./jsonl-model.js";

/** The longest indexing is held back for a webview that never says it is up. */
const HOLD_MAX_MS = 3000;

/** A JSONL file open in the viewer. */
export class JsonlDocument implements vscode.CustomDocument {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly editsMade = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<JsonlDocument>>();
  private readonly indexing = new vscode.EventEmitter<{ lines: number; done: boolean }>();
  /** Fires after an edit, undo, redo or revert. */
  readonly onDidChangeContent = this.changed.event;
  /** Fires for each new edit. */
  readonly onDidEdit = this.editsMade.event;
  /** Fires while the line index grows. */
  readonly onDidIndex = this.indexing.event;

  private current: JsonlModel | undefined;
  private release: (() => void) | undefined;

  private constructor(readonly uri: vscode.Uri) {}

  /**
   * Opens `uri` (or its backup) and starts indexing. With `holdIndexingAfter`, indexing stops
   * once that many lines are indexed until {@link resumeIndexing} (or HOLD_MAX_MS): the viewer
   * calls it once its webview is up, so the index of a big file does not take the CPU from the
   * webview's start.
   */
  static async open(uri: vscode.Uri, backupId: string | undefined, options: { holdIndexingAfter?: number } = {}): Promise<JsonlDocument> {
    const document = new JsonlDocument(uri);
    let hold: { hold: Promise<void>; holdAfterLines: number } | undefined;
    if (options.holdIndexingAfter !== undefined) {
      hold = { hold: new Promise((resolve) => (document.release = resolve)), holdAfterLines: options.holdIndexingAfter };
      setTimeout(() => document.resumeIndexing(), HOLD_MAX_MS);
    }
    document.current = await document.load(backupId === undefined ? uri.fsPath : vscode.Uri.parse(backupId).fsPath, hold);
    return document;
  }

  /** Lets indexing go on past the hold (see {@link open}); idempotent. */
  resumeIndexing(): void {
    this.release?.();
    this.release = undefined;
  }

  /** The open model. */
  get model(): JsonlModel {
    if (this.current === undefined) throw new Error("Cannot read the JSONL document: it is not open yet");
    return this.current;
  }

  private async load(path: string, hold?: { hold: Promise<void>; holdAfterLines: number }): Promise<JsonlModel> {
    const model = await JsonlModel.open(path, { onProgress: () => this.indexing.fire({ lines: model.index.available, done: false }), ...hold });
    void model.indexed.then((index) => this.indexing.fire({ lines: index.count, done: true }));
    return model;
  }

  /** Applies a review patch to 0-based `lines` as one undoable edit. */
  async review(lines: number[], patch: ReviewPatch): Promise<void> {
    this.perform(await this.model.makeReview(lines, patch));
  }

  /** Rewrites 0-based `lines` as one undoable edit (null from `rewrite` leaves a line). */
  async rewrite(lines: number[], label: string, rewrite: (text: string) => string | null): Promise<void> {
    this.perform(await this.model.makeEdit(lines, label, rewrite));
  }

  private perform(edit: JsonlEdit | null): void {
    if (edit === null) return;
    this.model.apply(edit);
    this.changed.fire();
    // Line numbers survive a save (review edits replace lines), so undo applies to the current model.
    const step = (e: JsonlEdit, back: boolean): void => {
      this.model.apply(e, back);
      this.changed.fire();
    };
    this.editsMade.fire({ document: this, label: edit.label, undo: () => step(edit, true), redo: () => step(edit, false) });
  }

  /** Saves to `target` atomically; saving over the open file reopens it so offsets stay right. */
  async saveAs(target: vscode.Uri): Promise<void> {
    await this.model.save(target.fsPath);
    if (target.fsPath === this.uri.fsPath) await this.reload();
  }

  /** Rereads the file from disk, dropping edits. */
  async reload(): Promise<void> {
    const old = this.model;
    this.current = await this.load(this.uri.fsPath);
    await old.close();
    this.changed.fire();
  }

  /** Writes a hot-exit backup. */
  async backup(destination: vscode.Uri): Promise<vscode.CustomDocumentBackup> {
    await this.model.save(destination.fsPath);
    return { id: destination.toString(), delete: () => void Promise.resolve(vscode.workspace.fs.delete(destination)).catch(() => undefined) };
  }

  /** Closes the file and the emitters. */
  dispose(): void {
    this.resumeIndexing();
    void this.model.close().catch(() => undefined);
    this.changed.dispose();
    this.editsMade.dispose();
    this.indexing.dispose();
  }
}
