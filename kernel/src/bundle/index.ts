/** Data-safety bundles (issue 16): age-encrypted, manifest-verified exports for transfer. */
export { createBundle, type CreateBundleOptions, type CreateBundleResult } from "./create-bundle.js";
export { unbundle, inspectBundle, type OpenBundleOptions, type UnbundleResult, type InspectBundleResult } from "./open-bundle.js";
export { ExtractWriter, type ExtractWriterOptions } from "./extract-writer.js";
export { readBundle, type ReadBundleOptions, type ReadBundleResult, type BundleFileSink } from "./read-bundle.js";
export { preflightBundle, type BundlePreflightOptions, type BundlePreflightResult } from "./bundle-preflight.js";
export { listExportFiles, type InventoryFile } from "./export-inventory.js";
export { generateKeyFile, readIdentityFile, readRecipientsFile, readPassphraseFile, recipientsOfIdentities, assertRecipient, type GenerateKeyFileOptions, type GenerateKeyFileResult } from "./keys.js";
export { createAgeHeader, openAgeHeader, findHeaderEnd, type AgeSealing, type AgeOpening, type AgeHeader } from "./age-header.js";
export { StreamSealer, StreamOpener, STREAM_CHUNK, STREAM_SEALED_CHUNK } from "./age-stream.js";
export { openSealedWriter, SEAL_BATCH_BYTES, type SealedWriter, type SealedWriterOptions } from "./sealed-writer.js";
export { BatchPlanner, type PlannedBatch, type BatchSegment, type BytesSegment, type FileSegment, type HashRequest } from "./batch-plan.js";
export { BundleError, type BundleFailure } from "./bundle-error.js";
export { auditBundle, currentUser, type BundleAuditRecord } from "./bundle-audit.js";
export { parseManifest, MANIFEST_ENTRY, EXPORT_PREFIX, MANIFEST_VERSION, type BundleManifest, type ManifestFile, type BundleExportMetadata, type BundleSafetyFindings } from "./manifest.js";
