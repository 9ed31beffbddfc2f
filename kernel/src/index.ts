/**
 * trainset — the public library. Named exports only; the CLI, the Jupyter kernel and the VS Code
 * extension are thin shells over these functions.
 */
export * from "./util/errors.js";
export * from "./util/issues.js";
export * from "./util/run-control.js";
export * from "./util/atomic-write.js";
export * from "./util/jsonl.js";
export * from "./util/csv.js";
export * from "./util/hashing.js";
export * from "./display/index.js";
export { toolVersion } from "./version.js";
export * from "./util/python-repr.js";
export * from "./formats/format-handler.js";
export * from "./formats/registry.js";
export * from "./formats/discover.js";
export * from "./formats/frame-table.js";
export * from "./formats/frame-table-handler.js";
export * from "./formats/legacy-jsonl.js";
export * from "./formats/legacy-jsonl-handler.js";
export * from "./export/ffmpeg-binary.js";
export * from "./doctor/checks.js";
export * from "./doctor/doctor.js";
export * from "./util/describe-value.js";
export * from "./demo/demo-step.js";
export * from "./demo/run-demo.js";
export * from "./demo/synthetic-images.js";
export * from "./historical/index.js";
export * from "./formats/pairs.js";
export * from "./formats/pairs-handler.js";
export * from "./split/index.js";
