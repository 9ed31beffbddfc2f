/** Every benchmark entry, in the order `npm run bench` runs them. */
import type { BenchEntry } from "./harness.js";
import { cocoBench } from "./coco.js";

export const entries: readonly BenchEntry[] = [
  cocoBench,
  // (entries are added one per line above this comment)
];
