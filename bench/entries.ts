/** Every benchmark entry, in the order `npm run bench` runs them. */
import type { BenchEntry } from "./harness.js";
import { exportFramesBench } from "./export-frames.js";
import { cocoBench } from "./coco.js";
import { historicalBench } from "./historical.js";
import { splitBench } from "./split.js";
import { exportRunsBench } from "./export-runs.js";
import { kernelBench } from "./kernel.js";
import { trainBench } from "./train.js";
import { serverBench } from "./server.js";
import { postgresBench } from "./postgres.js";
import { bundleBench } from "./bundle.js";
import { queueBench } from "./queue.js";
import { editorsBench } from "./editors.js";

export const entries: readonly BenchEntry[] = [
  cocoBench,
  historicalBench,
  splitBench,
  kernelBench,
  exportFramesBench,
  exportRunsBench,
  trainBench,
  postgresBench,
  bundleBench,
  queueBench,
  serverBench,
  editorsBench,
  // (entries are added one per line above this comment)
];
