/** endoreg-db on PostgreSQL: connection settings, read-only sessions, schema checks and sources. */
export * from "./connection-config.js";
export * from "./db-session.js";
export * from "./endoreg-schema.js";
export * from "./postgres-train-data.js";
export * from "./postgres-video-source.js";
