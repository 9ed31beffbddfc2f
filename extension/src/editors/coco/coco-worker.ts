/**
 * The COCO worker thread (bundled as dist/coco-worker.cjs): reads one COCO file once, posts its
 * first images as soon as they are read, parses it off the extension host's thread and then
 * answers page, image, edit, undo, redo and save requests against the one model it holds.
 * Spec: https://nodejs.org/docs/latest-v20.x/api/worker_threads.html
 */
import { open } from "node:fs/promises";
import { parentPort, workerData } from "node:worker_threads";
import type { TrainsetErrorCode } from "../../../../kernel/src/util/errors.js";
import { saveAtomic } from "../atomic-save.js";
import { scanAnnotationsOf } from "./coco-annotations-scan.js";
import { CocoImagesScanner } from "./coco-images-scan.js";
import { CocoModel, type RawObject } from "./coco-model.js";
import { annView } from "./coco-query.js";
import { CocoSession, imageRoot, workerImage } from "./coco-session.js";
import { CocoWorkerError, type CocoWorkerRequest, type CocoWorkerRequests, type CocoWorkerRequestType, type FromCocoWorker, type WorkerImage } from "./coco-worker-protocol.js";

/** Bytes per read: small enough that the first images are seen early, large enough to read fast. */
const CHUNK = 4 * 1024 * 1024;

/**
 * Reads the whole file into one buffer; while it fills, scans it for the first `pageSize` images
 * and hands them to `onImages` once (not at all when they cannot be found that way).
 */
async function readWithPreview(path: string, pageSize: number, onImages: (images: Array<Record<string, unknown>>) => void): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const bytes = Buffer.allocUnsafe(size);
    const scanner = new CocoImagesScanner(bytes, { limit: pageSize });
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, Math.min(CHUNK, size - filled), filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (scanner.status === "scanning" && scanner.feed(filled) === "found" && scanner.images.length > 0) onImages(scanner.images);
    }
    return filled === size ? bytes : bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

let session: CocoSession | undefined;
/** The document's path, named in errors (set by the client at start, then by each open). */
let file = typeof (workerData as { file?: unknown } | null)?.file === "string" ? (workerData as { file: string }).file : "";

function post(message: FromCocoWorker): void {
  parentPort?.postMessage(message);
}

function loaded(): CocoSession {
  if (session === undefined) throw new CocoWorkerError("VALIDATION_ERROR", `Cannot use COCO "${file}": it is still being read`, { file });
  return session;
}

async function openFile(body: CocoWorkerRequests["open"]["request"]): Promise<CocoWorkerRequests["open"]["response"]> {
  file = body.documentPath;
  const first = session === undefined; // a revert reads again, but the editor shows the old model meanwhile
  const root = imageRoot(body.documentPath, "coco");
  let preview: RawObject[] | undefined;
  let bytes: Buffer | undefined;
  try {
    bytes = await readWithPreview(body.source, body.pageSize, (images) => {
      if (!first) return;
      preview = images;
      post({ kind: "preview", withBoxes: false, images: images.map((img, i): WorkerImage => workerImage(img, { index: i, root, annotations: [] })) });
    });
  } catch (error: unknown) {
    throw new CocoWorkerError("IO_ERROR", `Cannot read COCO "${body.source}": ${error instanceof Error ? error.message : String(error)}`, { file: body.documentPath });
  }
  if (preview !== undefined) {
    // The boxes of the previewed images, picked from the bytes (a fraction of the parse's time).
    const found = scanAnnotationsOf(bytes, preview.map((img) => img["id"] as number | string));
    post({ kind: "preview", withBoxes: true, images: preview.map((img, i): WorkerImage => workerImage(img, { index: i, root, annotations: (found.get(img["id"] as number | string) ?? []).map(annView) })) });
  }
  const text = bytes.toString("utf8");
  bytes = undefined; // the raw bytes can go while the text is parsed
  let model: CocoModel;
  try {
    model = CocoModel.parse(text, body.source);
  } catch (error: unknown) {
    throw new CocoWorkerError("PARSE_ERROR", error instanceof Error ? error.message : String(error), { file: body.documentPath });
  }
  if (session === undefined) session = new CocoSession(model, body.documentPath);
  else session.replace(model);
  return { summary: session.summary(), first: session.page({ categories: [], sources: [], statuses: [], minConfidence: 0, maxConfidence: 1 }, 0, body.pageSize) };
}

async function answer(request: CocoWorkerRequest): Promise<CocoWorkerRequests[CocoWorkerRequestType]["response"]> {
  switch (request.type) {
    case "open":
      return openFile(request.body);
    case "page":
      return loaded().page(request.body.filter, request.body.offset, request.body.limit);
    case "image":
      return loaded().imageById(request.body.imageId);
    case "edit":
      return loaded().edit(request.body.op, request.body.rejectMode);
    case "undo":
      return { imageIds: loaded().undo(request.body.editId) };
    case "redo":
      return { imageIds: loaded().redo(request.body.editId) };
    case "save": {
      // Serialized now, so edits that arrive while the file is written are not in this save.
      const text = loaded().serialize();
      try {
        await saveAtomic(request.body.target, text);
      } catch (error: unknown) {
        throw new CocoWorkerError("IO_ERROR", `Cannot save COCO "${request.body.target}": ${error instanceof Error ? error.message : String(error)}`, { file });
      }
      return null;
    }
  }
}

/** How an unexpected failure of each request is reported: its code and the action in "Cannot <action> COCO …". */
const FAILURE: Record<CocoWorkerRequestType, { code: TrainsetErrorCode; action: string }> = {
  open: { code: "PARSE_ERROR", action: "read" },
  page: { code: "VALIDATION_ERROR", action: "filter" },
  image: { code: "VALIDATION_ERROR", action: "show an image of" },
  edit: { code: "VALIDATION_ERROR", action: "edit" },
  undo: { code: "VALIDATION_ERROR", action: "undo an edit of" },
  redo: { code: "VALIDATION_ERROR", action: "redo an edit of" },
  save: { code: "IO_ERROR", action: "save" },
};

async function handle(request: CocoWorkerRequest): Promise<void> {
  try {
    post({ kind: "reply", id: request.id, ok: true, body: await answer(request) });
    // The first page went out without the indexes; build them while the webview draws it.
    if (request.type === "open") session?.buildIndex();
  } catch (error: unknown) {
    const wire =
      error instanceof CocoWorkerError
        ? error.toWire()
        : { code: FAILURE[request.type].code, message: `Cannot ${FAILURE[request.type].action} COCO "${file}": ${error instanceof Error ? error.message : String(error)}`, file };
    post({ kind: "reply", id: request.id, ok: false, error: wire });
  }
}

if (parentPort === null) throw new Error("Cannot start the COCO worker: it must run in a worker thread");
parentPort.on("message", (request: CocoWorkerRequest) => {
  void handle(request);
});
