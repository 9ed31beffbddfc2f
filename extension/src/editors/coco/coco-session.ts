/**
 * What the COCO worker holds for one document: the parsed {@link CocoModel}, its edits by id (the
 * undo stack itself lives in VS Code), and a cache of the last filter's result. No `vscode`, no
 * threads: coco-worker.ts feeds it requests.
 */
import { dirname } from "node:path";
import type { CocoFilter, CocoOp } from "../../../../webviews/src/protocol/coco.js";
import { categoryColor } from "./category-color.js";
import { makeEdit, type RejectMode } from "./coco-edits.js";
import { locateImage } from "./coco-images.js";
import type { CocoEdit, CocoModel, RawObject } from "./coco-model.js";
import { ALL, annView, fileNameOf, queryCoco, type QueryResult } from "./coco-query.js";
import type { CocoSummary, WorkerEdit, WorkerImage, WorkerPage } from "./coco-worker-protocol.js";

/** The most images one page request returns. */
export const MAX_PAGE = 500;

/**
 * The folder image paths are looked up in: the COCO file's folder; for a run-record
 * `annotations/<id>.json`, the run-record folder (its images are in `images/`).
 */
export function imageRoot(documentPath: string, kind: CocoModel["kind"]): string {
  const folder = dirname(documentPath);
  return kind === "coco" ? folder : dirname(folder);
}

/** An image record as the webview draws it: at position `index`, its file looked up under `root`, with `annotations`. */
export function workerImage(image: RawObject, at: { index: number; root: string; annotations: WorkerImage["annotations"] }): WorkerImage {
  const { index, root, annotations } = at;
  const fileName = fileNameOf(image);
  return { index, id: image["id"] as number | string, fileName, width: Number(image["width"] ?? 0), height: Number(image["height"] ?? 0), path: locateImage(root, fileName), annotations };
}

/** One open COCO document inside the worker. */
export class CocoSession {
  private readonly edits = new Map<number, CocoEdit>();
  private nextEdit = 1;
  private version = 0;
  private cache: { key: string; version: number; result: QueryResult } | undefined;
  private root: string;

  constructor(
    private model: CocoModel,
    private readonly documentPath: string,
  ) {
    this.root = imageRoot(documentPath, model.kind);
  }

  /** Replaces the model (revert); edits made before stay undoable against the new one. */
  replace(model: CocoModel): void {
    this.model = model;
    this.root = imageRoot(this.documentPath, model.kind);
    this.version++;
  }

  /** Categories, sources and sizes. */
  summary(): CocoSummary {
    const model = this.model;
    // With no filter every annotation counts under its source, so the sources are the count's keys.
    const sources = Object.keys(this.query(ALL).counts.bySource).sort();
    return {
      kind: model.kind,
      categories: model.categories.map((c, i) => ({ id: c["id"] as number | string, name: String(c["name"] ?? c["id"]), color: categoryColor(i) })),
      sources,
      imageCount: model.images.length,
      annotationCount: model.annotationList.length,
    };
  }

  /** Images `offset`… of the filtered list (at most {@link MAX_PAGE}), with counts and statistics. */
  page(filter: CocoFilter, offset: number, limit: number): WorkerPage {
    const result = this.query(filter);
    const images: WorkerImage[] = [];
    const records = result.imageIndexes.slice(offset, offset + Math.min(limit, MAX_PAGE)).map((i) => [i, this.model.images[i]] as const);
    const annotations = this.model.annotationsOfImages(records.map(([, img]) => img?.["id"] as number | string));
    for (const [i, img] of records) {
      if (img !== undefined) images.push(workerImage(img, { index: i, root: this.root, annotations: (annotations.get(img["id"] as number | string) ?? []).map(annView) }));
    }
    return { offset, total: result.imageIndexes.length, images, counts: result.counts, stats: result.stats };
  }

  /** The image with this id, or null. */
  imageById(imageId: number | string): WorkerImage | null {
    const index = this.model.images.findIndex((img) => img["id"] === imageId);
    return index < 0 ? null : this.image(index);
  }

  /** Applies a curator's request as one edit; null when it changes nothing. */
  edit(op: CocoOp, rejectMode: RejectMode): WorkerEdit | null {
    const edit = makeEdit(this.model, op, { rejectMode });
    if (edit === null) return null;
    this.model.apply(edit);
    this.version++;
    const editId = this.nextEdit++;
    this.edits.set(editId, edit);
    return { editId, label: edit.label, imageIds: imagesOf(edit) };
  }

  /** Undoes edit `editId`; returns the images it touched. */
  undo(editId: number): Array<number | string> {
    const edit = this.known(editId);
    this.model.revert(edit);
    this.version++;
    return imagesOf(edit);
  }

  /** Redoes edit `editId`; returns the images it touched. */
  redo(editId: number): Array<number | string> {
    const edit = this.known(editId);
    this.model.apply(edit);
    this.version++;
    return imagesOf(edit);
  }

  /** Builds the model's indexes (the worker calls this once the first page is out). */
  buildIndex(): void {
    this.model.buildIndex();
  }

  /** The file text of the current model. */
  serialize(): string {
    return this.model.serialize();
  }

  private known(editId: number): CocoEdit {
    const edit = this.edits.get(editId);
    if (edit === undefined) throw new RangeError(`Cannot undo or redo edit ${editId}: it is not known to this document`);
    return edit;
  }

  private image(index: number): WorkerImage | null {
    const img = this.model.images[index];
    if (img === undefined) return null;
    return workerImage(img, { index, root: this.root, annotations: this.model.annotationsOf(img["id"] as number | string).map(annView) });
  }

  private query(filter: CocoFilter): QueryResult {
    const key = JSON.stringify(filter);
    if (this.cache?.key !== key || this.cache.version !== this.version) this.cache = { key, version: this.version, result: queryCoco(this.model, filter) };
    return this.cache.result;
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
