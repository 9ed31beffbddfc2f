/**
 * Messages between a COCO document on the extension host (coco-worker-client.ts) and the worker
 * thread that reads, parses and holds its model (coco-worker.ts). Requests carry an id; every
 * request gets one reply; the worker also posts a `preview` of the first images while it parses.
 * Spec: https://nodejs.org/docs/latest-v20.x/api/worker_threads.html
 */
import type { TrainsetErrorCode } from "../../../../kernel/src/util/errors.js";
import type { CategoryStats, CocoFilter, CocoOp, FilterCounts, ImageView } from "../../../../webviews/src/protocol/coco.js";
import type { RejectMode } from "./coco-edits.js";
import type { CocoFileKind } from "./coco-model.js";

/** An image as the worker sends it: the webview's {@link ImageView} with the file's path (null: not shown) instead of a webview URI. */
export type WorkerImage = Omit<ImageView, "src"> & { path: string | null };

/** What the editor shows before any filter: categories (with colours), sources, sizes. */
export interface CocoSummary {
  kind: CocoFileKind;
  categories: Array<{ id: number | string; name: string; color: string }>;
  sources: string[];
  imageCount: number;
  annotationCount: number;
}

/** One page of a filtered image list, with the counts and statistics of that filter. */
export interface WorkerPage {
  offset: number;
  total: number;
  images: WorkerImage[];
  counts: FilterCounts;
  stats: CategoryStats[];
}

/** What an edit did: its id (for undo/redo), its label and the images it touched. */
export interface WorkerEdit {
  editId: number;
  label: string;
  imageIds: Array<number | string>;
}

/** Request and response bodies by request type. */
export type CocoWorkerRequests = {
  /** Reads `source` (the file, or a hot-exit backup of it) once and parses it; image paths are looked up next to `documentPath`. */
  open: { request: { source: string; documentPath: string; pageSize: number }; response: { summary: CocoSummary; first: WorkerPage } };
  page: { request: { filter: CocoFilter; offset: number; limit: number }; response: WorkerPage };
  image: { request: { imageId: number | string }; response: WorkerImage | null };
  /** Null when the edit changes nothing (unknown ids). */
  edit: { request: { op: CocoOp; rejectMode: RejectMode }; response: WorkerEdit | null };
  undo: { request: { editId: number }; response: { imageIds: Array<number | string> } };
  redo: { request: { editId: number }; response: { imageIds: Array<number | string> } };
  /** Writes the current model to `target` atomically (temp file + rename). */
  save: { request: { target: string }; response: null };
};

/** A request type. */
export type CocoWorkerRequestType = keyof CocoWorkerRequests;

/** A request as posted to the worker. */
export type CocoWorkerRequest = { [K in CocoWorkerRequestType]: { id: number; type: K; body: CocoWorkerRequests[K]["request"] } }[CocoWorkerRequestType];

/** An error as it crosses the thread boundary. */
export interface WireError {
  code: TrainsetErrorCode;
  message: string;
  file: string;
}

/** The first images, found in the bytes before the parse ends; then once more with their boxes (`withBoxes`). */
export interface WorkerPreview {
  images: WorkerImage[];
  withBoxes: boolean;
}

/** A message from the worker: a reply to request `id`, or a preview of the first page. */
export type FromCocoWorker =
  | { kind: "reply"; id: number; ok: true; body: CocoWorkerRequests[CocoWorkerRequestType]["response"] }
  | { kind: "reply"; id: number; ok: false; error: WireError }
  | ({ kind: "preview" } & WorkerPreview);

/** A failure of the COCO worker or of one of its requests; `file` is the COCO file it concerns. */
export class CocoWorkerError extends Error {
  readonly code: TrainsetErrorCode;
  readonly file: string;

  constructor(code: TrainsetErrorCode, message: string, options: { file: string }) {
    super(message);
    this.name = "CocoWorkerError";
    this.code = code;
    this.file = options.file;
  }

  /** The error as posted between threads. */
  toWire(): WireError {
    return { code: this.code, message: this.message, file: this.file };
  }
}
