/** Every benchmark entry, in the order `npm run bench` runs them. */
import type { BenchEntry } from "./harness.js";

export const entries: readonly BenchEntry[] = [];
