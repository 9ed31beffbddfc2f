/**
 * The COCO custom document. Its model lives in a worker thread (coco-worker.ts) that reads the file
 * once and parses it off the extension host's thread; this class reports each edit to VS Code for
 * undo/redo and dirty state, and asks the worker to save (atomically), revert and back up.
 * Spec: https://code.visualstudio.com/api/extension-guides/custom-editors#custom-editor
 */
import * as vscode from "vscode";
import type { CocoFilter, CocoOp } from "../../../../webviews/src/protocol/coco.js";
import { COCO_PAGE_SIZE } from "../../../../webviews/src/protocol/coco.js";
import type { RejectMode } from "./coco-edits.js";
import { CocoWorkerClient } from "./coco-worker-client.js";
import type { CocoSummary, WorkerImage, WorkerPage, WorkerPreview } from "./coco-worker-protocol.js";

/** What the editor shows once the file is parsed: the summary and the first unfiltered page. */
export interface CocoOpened {
  summary: CocoSummary;
  first: WorkerPage;
}

/** A COCO file open in the box editor. */
export class CocoDocument implements vscode.CustomDocument {
  private readonly changed = new vscode.EventEmitter<{ imageIds: Array<number | string> }>();
  private readonly editsMade = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<CocoDocument>>();
  private readonly contentReset = new vscode.EventEmitter<CocoOpened>();
  private readonly previewed = new vscode.EventEmitter<WorkerPreview>();
  /** Fires with the images touched by an edit, undo or redo. */
  readonly onDidChangeImages = this.changed.event;
  /** Fires for each new edit (VS Code keeps the undo stack and dirty state). */
  readonly onDidEdit = this.editsMade.event;
  /** Fires after revert (every view reloads). */
  readonly onDidReset = this.contentReset.event;
  /** Fires with the first images read before the parse ends, then with their boxes (not at all for files where they cannot be found early). */
  readonly onDidPreview = this.previewed.event;

  private readonly client: CocoWorkerClient;
  /** The latest preview of the first images, when the worker found them before the parse ended. */
  preview: WorkerPreview | undefined;
  /** The parsed file's summary and first page, once {@link loaded} resolved. */
  opened: CocoOpened | undefined;
  /** Settles once the file is parsed (the webview loads meanwhile; rejects with the read or parse error). */
  loaded: Promise<CocoOpened>;

  private constructor(
    readonly uri: vscode.Uri,
    source: vscode.Uri,
    workerPath: string,
  ) {
    this.client = new CocoWorkerClient(uri.fsPath, {
      workerPath,
      onPreview: (preview) => {
        this.preview = preview;
        this.previewed.fire(preview);
      },
    });
    this.loaded = this.client.request("open", { source: source.fsPath, documentPath: uri.fsPath, pageSize: COCO_PAGE_SIZE });
    this.loaded.then(
      (opened) => {
        this.opened = opened;
      },
      () => undefined,
    );
  }

  /** Opens `uri`, or its hot-exit backup; the worker reads and parses while the editor's webview starts. */
  static open(uri: vscode.Uri, backupId: string | undefined, workerPath: string): CocoDocument {
    return new CocoDocument(uri, backupId === undefined ? uri : vscode.Uri.parse(backupId), workerPath);
  }

  /** One page of the filtered image list. */
  async page(filter: CocoFilter, offset: number, limit: number): Promise<WorkerPage> {
    await this.loaded;
    return this.client.request("page", { filter, offset, limit });
  }

  /** One image with its annotations, or null. */
  async image(imageId: number | string): Promise<WorkerImage | null> {
    await this.loaded;
    return this.client.request("image", { imageId });
  }

  /** Applies a curator's request as one undoable edit. */
  async perform(op: CocoOp, rejectMode: RejectMode): Promise<void> {
    await this.loaded;
    const edit = await this.client.request("edit", { op, rejectMode });
    if (edit === null) return;
    const { editId, label, imageIds } = edit;
    this.changed.fire({ imageIds });
    this.editsMade.fire({
      document: this,
      label,
      undo: async () => {
        this.changed.fire(await this.client.request("undo", { editId }));
      },
      redo: async () => {
        this.changed.fire(await this.client.request("redo", { editId }));
      },
    });
  }

  /** Writes the current model to `target` atomically (temp file + rename, done by the worker). */
  async saveAs(target: vscode.Uri, cancellation?: vscode.CancellationToken): Promise<void> {
    await this.loaded;
    if (cancellation?.isCancellationRequested === true) return;
    await this.client.request("save", { target: target.fsPath });
  }

  /** Rereads the file from disk (the old model answers until the new one is parsed). */
  async revert(): Promise<void> {
    const reopened = this.client.request("open", { source: this.uri.fsPath, documentPath: this.uri.fsPath, pageSize: COCO_PAGE_SIZE });
    const opened = await reopened;
    this.loaded = reopened;
    this.opened = opened;
    this.contentReset.fire(opened);
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

  /** Stops the worker and releases the emitters. */
  dispose(): void {
    void this.client.terminate();
    this.changed.dispose();
    this.editsMade.dispose();
    this.contentReset.dispose();
    this.previewed.dispose();
  }
}
