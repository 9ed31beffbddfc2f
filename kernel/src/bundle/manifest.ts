/**
 * The manifest inside a bundle (`trainset-manifest.json`, the tar's last entry, written after
 * every file was hashed on the way in): SHA-256 and size of every file, the export's metadata and
 * the safety findings. Unbundling checks every extracted file against it.
 */
import type { ExportCheck } from "../export/check-export.js";
import { TrainsetError } from "../util/errors.js";
import { assertSafeRelativePath } from "../export/export-safety.js";

/** Name of the manifest entry at the root of the tar. */
export const MANIFEST_ENTRY = "trainset-manifest.json";
/** Folder of the export's files inside the tar. */
export const EXPORT_PREFIX = "export/";
/** Version of the manifest format. */
export const MANIFEST_VERSION = 1;

/** The export's own metadata. */
export interface BundleExportMetadata {
  /** Name of the export folder. */
  name: string;
  /** The first `ai_datasets/*.json` document's identity, when the export has one. */
  dataset: { file: string; id: number | null; name: string | null; dataset_type: string; ai_model_type: string } | null;
  /** The AI dataset's schema_version, when the export has one. */
  schema_version: string | null;
  /** The annotation table's file name. */
  table: string | null;
  video_ids: number[];
  counts: { files: number; bytes: number; annotation_rows: number; frames: number; labels: number; videos: number };
}

/** What the pre-bundle safety checks found. */
export interface BundleSafetyFindings {
  /** `check-export`'s verdicts. */
  checks: ExportCheck[];
  /** The video library that confirmed anonymisation validation. */
  library: string;
  media: { videos: Array<{ path: string; video_id: number; sha256: string }>; frame_files: number; frame_video_ids: number[] };
  /** Paths that were symlinks inside the folder (bundled as the file they point to). */
  symlinks: string[];
}

/** One bundled file. */
export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

/** The whole manifest document. */
export interface BundleManifest {
  format: "trainset-bundle";
  manifest_version: number;
  created_at: string;
  tool: { name: "trainset"; version: string };
  /** Who can open it: public recipients, or `passphrase` for age's scrypt mode. */
  encryption: { mode: "recipients"; recipients: string[] } | { mode: "passphrase" };
  export: BundleExportMetadata;
  safety: BundleSafetyFindings;
  files: ManifestFile[];
  totals: { files: number; bytes: number };
}

function bad(why: string): never {
  throw new TrainsetError("VALIDATION_ERROR", `Cannot read the bundle manifest: ${why}`, { file: MANIFEST_ENTRY });
}

/**
 * Parses and checks a manifest: known format, safe unique paths, sizes and SHA-256 in shape.
 * @example const manifest = parseManifest(text);
 */
export function parseManifest(text: string): BundleManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    bad("it is not JSON");
  }
  const m = value as Partial<BundleManifest> | null;
  if (typeof m !== "object" || m === null || m.format !== "trainset-bundle") bad('format is not "trainset-bundle"');
  if (m.manifest_version !== MANIFEST_VERSION) bad(`manifest_version ${String(m.manifest_version)} is not supported (expected ${MANIFEST_VERSION})`);
  if (!Array.isArray(m.files)) bad("files is not a list");
  const seen = new Set<string>();
  m.files.forEach((f: Partial<ManifestFile>, i) => {
    if (typeof f.path !== "string" || typeof f.size !== "number" || !Number.isInteger(f.size) || f.size < 0 || typeof f.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(f.sha256)) bad(`files[${i}] needs path, size and a hex sha256`);
    assertSafeRelativePath(f.path, `files[${i}].path`);
    if (seen.has(f.path)) bad(`files[${i}].path "${f.path}" is listed twice`);
    seen.add(f.path);
  });
  return m as BundleManifest;
}
