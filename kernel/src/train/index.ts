/** Multi-label training: losses, schedules, metrics, data, embeddings, tfjs heads. */
export * from "./losses.js";
export * from "./lr-schedule.js";
export * from "./metrics.js";
export * from "./train-data.js";
export * from "./preprocess.js";
export * from "./tf-backend.js";
export * from "./backbone.js";
export * from "./embeddings-cache.js";
export * from "./head-model.js";
export * from "./train-config.js";
export * from "./run-folder.js";
export * from "./train.js";
export * from "./predict.js";
export * from "./training-charts.js";
export * from "./evaluate.js";
