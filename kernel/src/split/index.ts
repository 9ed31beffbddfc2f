/** Group-aware multilabel splitting, k-fold, reports, charts and leak checks. */
export * from "./group-table.js";
export * from "./ratios.js";
export * from "./seeded-rng.js";
export * from "./python-random.js";
export * from "./stratify-groups.js";
export * from "./refine-split.js";
export * from "./split-report.js";
export * from "./split-charts.js";
export * from "./group-split.js";
export type { SplitImageRef, SplitSource, SplitSourceOptions } from "./adapters/split-source.js";
export * from "./adapters/legacy-jsonl-source.js";
export * from "./adapters/frame-table-source.js";
export * from "./adapters/coco-source.js";
export * from "./adapters/run-record-source.js";
export * from "./adapters/pairs-source.js";
export * from "./split-file.js";
export * from "./leak-check.js";
