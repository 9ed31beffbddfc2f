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
export { toolVersion } from "./version.js";
