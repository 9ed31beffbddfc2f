/** The job kinds a `trainset worker` runs, by name. */
import type { JobHandlers } from "../job-queue.js";
import { frameImportanceTrainHandler } from "./frame-importance-train.js";
import { multilabelTrainHandler } from "./multilabel-train.js";
import { noopHandler } from "./noop.js";

/**
 * Every built-in handler: `noop`, `multilabel-train`, `frame-importance-train`.
 * @example queue.createWorker({ handlers: defaultJobHandlers(), storeRoot });
 */
export function defaultJobHandlers(): JobHandlers {
  return {
    noop: noopHandler,
    "multilabel-train": multilabelTrainHandler,
    "frame-importance-train": frameImportanceTrainHandler,
  };
}
