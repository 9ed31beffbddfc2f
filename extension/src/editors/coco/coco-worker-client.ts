/**
 * The extension host's side of a COCO worker (coco-worker.ts): starts the thread, sends typed
 * requests with ids and resolves each with its reply; errors come back as {@link CocoWorkerError}
 * naming the file. No `vscode`, so it is tested with a real worker.
 * Spec: https://nodejs.org/docs/latest-v20.x/api/worker_threads.html
 */
import { Worker } from "node:worker_threads";
import { CocoWorkerError, type CocoWorkerRequest, type CocoWorkerRequests, type CocoWorkerRequestType, type FromCocoWorker, type WorkerPreview } from "./coco-worker-protocol.js";

/** Options of {@link CocoWorkerClient}. */
export interface CocoWorkerClientOptions {
  /** The bundled worker script (extension/dist/coco-worker.cjs next to the extension bundle). */
  workerPath: string;
  /** Called with the first images when the worker finds them before the parse is done, then again with their boxes. */
  onPreview?: (preview: WorkerPreview) => void;
  /** Old-generation heap limit of the worker in MiB; default 8192 (a 470 MB COCO file takes a few GiB parsed). */
  maxHeapMb?: number;
}

type Pending = { resolve: (body: unknown) => void; reject: (error: Error) => void };

/** One worker thread holding one COCO document. */
export class CocoWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: CocoWorkerError | undefined;

  /** Starts the worker for `file` (the document's path, named in errors); it runs the bundle with no Node flags of the host. */
  constructor(
    private readonly file: string,
    options: CocoWorkerClientOptions,
  ) {
    this.worker = new Worker(options.workerPath, { workerData: { file }, execArgv: [], resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 8192 } });
    this.worker.on("message", (message: FromCocoWorker) => {
      if (message.kind === "preview") {
        options.onPreview?.({ images: message.images, withBoxes: message.withBoxes });
        return;
      }
      const waiting = this.pending.get(message.id);
      if (waiting === undefined) return;
      this.pending.delete(message.id);
      if (message.ok) waiting.resolve(message.body);
      else waiting.reject(new CocoWorkerError(message.error.code, message.error.message, { file: message.error.file }));
    });
    this.worker.on("error", (error: Error) => this.fail(`Cannot read COCO "${file}": its worker failed: ${error.message}`));
    this.worker.on("exit", (code) => this.fail(`Cannot read COCO "${file}": its worker stopped (exit code ${code})`));
  }

  /** Sends one request; resolves with its reply, rejects with a {@link CocoWorkerError}. */
  request<K extends CocoWorkerRequestType>(type: K, body: CocoWorkerRequests[K]["request"]): Promise<CocoWorkerRequests[K]["response"]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<CocoWorkerRequests[K]["response"]>((resolve, reject) => {
      this.pending.set(id, { resolve: (reply) => resolve(reply as CocoWorkerRequests[K]["response"]), reject });
      this.worker.postMessage({ id, type, body } as CocoWorkerRequest);
    });
  }

  /** Stops the worker; pending requests reject. */
  async terminate(): Promise<void> {
    this.fail(`Cannot use COCO "${this.file}": the document was closed`);
    await this.worker.terminate();
  }

  private fail(message: string): void {
    this.failure ??= new CocoWorkerError("IO_ERROR", message, { file: this.file });
    for (const waiting of this.pending.values()) waiting.reject(this.failure);
    this.pending.clear();
  }
}
