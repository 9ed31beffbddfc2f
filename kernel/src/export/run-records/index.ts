/** Run records → training dataset (seed 002). */
export * from "./action-record.js";
export * from "./record-boxes.js";
export * from "./training-data-exporter.js";
export * from "./training-export-service.js";
