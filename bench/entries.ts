/** Every benchmark entry, in the order `npm run bench` runs them. */
import type { BenchEntry } from "./harness.js";
import { cocoBench } from "./coco.js";
import { historicalBench } from "./historical.js";
import { splitBench } from "./split.js";

export const entries: readonly BenchEntry[] = [
  cocoBench,
  historicalBench,
  splitBench,
  // (entries are added one per line above this comment)
];
