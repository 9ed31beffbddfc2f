/** Multi-label training: losses, schedules, metrics, data, embeddings, tfjs heads. */
export * from "./losses.js";
export * from "./lr-schedule.js";
export * from "./metrics.js";
export * from "./train-data.js";
export * from "./preprocess.js";
export * from "./tf-backend.js";
export * from "./backbone.js";
export * from "./embeddings-cache.js";
// The head model itself is internal: its tfjs tensor types would pull ~600 tfjs declaration files
// into every notebook cell's type check (see jupyter/type-checker.ts).
export type { HeadSpec, HeadWeights, HeadLoss } from "./head-spec.js";
export * from "./train-config.js";
export * from "./run-folder.js";
export * from "./train.js";
export * from "./predict.js";
export * from "./training-charts.js";
export * from "./evaluate.js";
export * from "./onnx-export.js";
export * from "./onnx-predict.js";
export * from "./run-model-export.js";
export * from "./tiny-onnx-backbone.js";
export * from "./regression-metrics.js";
export * from "./importance-items.js";
export * from "./task-run.js";
export * from "./frame-importance.js";
export * from "./preference-model.js";
