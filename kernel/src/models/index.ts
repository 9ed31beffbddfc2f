/** The model registry: versions, validation with a smoke inference, the deploy gate, atomic swaps. */
export * from "./model-version.js";
export * from "./model-validate.js";
export * from "./deploy-gate.js";
export * from "./model-registry.js";
export { smokeHead } from "./head-smoke.js";
export { smokeOnnx } from "./onnx-smoke.js";
