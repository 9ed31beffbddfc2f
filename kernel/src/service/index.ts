/** The training service: store layout, annotation store, audit log, preflight, advice, analysis. */
export * from "./store-layout.js";
export * from "./safe-name.js";
export * from "./store-lock.js";
export * from "./annotation-store.js";
export * from "./audit-log.js";
export * from "./preflight.js";
export * from "./labeling-advice.js";
export * from "./advice.js";
export * from "./post-training-analysis.js";
