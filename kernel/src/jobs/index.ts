/** The job queue: interface, file backend, worker handlers, backend selection. */
export * from "./job-queue.js";
export * from "./job-events.js";
export * from "./job-runner.js";
export * from "./job-config.js";
export * from "./job-format.js";
export * from "./open-queue.js";
export { FileJobQueue, openFileJobQueue, type FileJobQueueOptions } from "./file-queue.js";
export type { FileJobWorkerOptions } from "./file-worker.js";
export { defaultJobHandlers } from "./handlers/index.js";
export { noopHandler, type NoopJobConfig } from "./handlers/noop.js";
export { multilabelTrainHandler } from "./handlers/multilabel-train.js";
export { frameImportanceTrainHandler } from "./handlers/frame-importance-train.js";
export { trainSectionOf } from "./handlers/train-job-config.js";
export { readTrainJobSettings, type TrainJobSettings } from "./handlers/train-deploy.js";
