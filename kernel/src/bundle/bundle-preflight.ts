/**
 * Everything a bundle must pass before a byte is written (seed 000, "Data Safety Boundary"):
 * `check-export` passes with the videos' anonymisation validation confirmed by the library, no
 * raw or non-anonymised media (video files must be the library's validated processed files,
 * frames must belong to validated videos), and no path escapes the folder. Also gathers the
 * export's own metadata for the manifest.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { checkExport, type ExportCheck } from "../export/check-export.js";
import type { VideoSource } from "../export/video-source.js";
import { readFrameTable, type FrameAnnotationRow } from "../formats/frame-table.js";
import { TrainsetError } from "../util/errors.js";
import { sha256File } from "../util/hashing.js";
import { listExportFiles, type InventoryFile } from "./export-inventory.js";
import type { BundleExportMetadata, BundleSafetyFindings } from "./manifest.js";

/** Options of {@link preflightBundle}. */
export interface BundlePreflightOptions {
  /** The video library the export was made from; required to confirm anonymisation validation. */
  source?: VideoSource;
  /** The annotation table inside the export (default annotations.csv, else annotations.json). */
  table?: string;
  /** Paths to leave out of the walk (the output file when it lies inside the folder). */
  skip?: (absolute: string) => boolean;
}

/** What passed: the files to bundle, the export's metadata and the findings for the manifest. */
export interface BundlePreflightResult {
  files: InventoryFile[];
  metadata: BundleExportMetadata;
  safety: BundleSafetyFindings;
}

const VIDEO_EXT = new Set([".mp4", ".avi", ".mov", ".mkv", ".webm", ".mpg", ".mpeg", ".m4v", ".wmv", ".flv", ".mts", ".m2ts", ".3gp", ".ogv", ".ts"]);
const IMAGE_EXT = new Set([".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif"]);
const CLINICAL_RAW_EXT = new Set([".dcm", ".dicom", ".raw", ".nii"]);

function refuse(dir: string, why: string, file?: string): never {
  throw new TrainsetError("DATA_SAFETY", `Cannot bundle "${dir}": ${why}`, { ...(file === undefined ? {} : { file }), field: "media" });
}

async function tableRows(dir: string, table: string | undefined): Promise<{ name: string; rows: FrameAnnotationRow[] } | undefined> {
  for (const name of table === undefined ? ["annotations.csv", "annotations.json"] : [table]) {
    try {
      return { name, rows: (await readFrameTable(`${dir}/${name}`, { mode: "collect" })).rows };
    } catch {
      /* absent or unreadable: check-export already reported it */
    }
  }
  return undefined;
}

interface AiDatasetHead {
  file: string;
  schema_version?: unknown;
  dataset_id?: unknown;
  name?: unknown;
  dataset_type?: unknown;
  ai_model_type?: unknown;
  patient_videos?: unknown;
}

async function aiDatasets(dir: string): Promise<AiDatasetHead[]> {
  const names = await readdir(`${dir}/ai_datasets`).catch(() => [] as string[]);
  const out: AiDatasetHead[] = [];
  for (const file of names.filter((n) => n.endsWith(".json")).sort()) {
    try {
      out.push({ file, ...(JSON.parse(await readFile(`${dir}/ai_datasets/${file}`, "utf8")) as object) });
    } catch {
      /* check-export reports unreadable datasets */
    }
  }
  return out;
}

function validated(source: VideoSource, id: number): { ok: boolean; why: string } {
  try {
    const v = source.getVideo(id);
    if (!v.state.anonymization_validated) return { ok: false, why: `video ${id} is not anonymization-validated` };
    if (v.state.processing_error) return { ok: false, why: `video ${id} has a processing error` };
    return { ok: true, why: "" };
  } catch {
    return { ok: false, why: `video ${id} is not in the library "${source.name}"` };
  }
}

async function checkMedia(dir: string, files: InventoryFile[], source: VideoSource, referenced: Set<string>): Promise<BundleSafetyFindings["media"]> {
  const media: BundleSafetyFindings["media"] = { videos: [], frame_files: 0, frame_video_ids: [] };
  const frameVideos = new Set<number>();
  for (const f of files) {
    const ext = extname(f.path).toLowerCase();
    if (CLINICAL_RAW_EXT.has(ext)) refuse(dir, `${f.path} is raw clinical media (${ext}); raw media export is prohibited`, f.source);
    if (VIDEO_EXT.has(ext)) {
      const m = /^videos\/video_(\d+)_([^/]+)\.[^./]+$/.exec(f.path);
      if (m === null) refuse(dir, `${f.path} is a video outside videos/video_<id>_<hash>.<ext>, so it cannot be shown to be a validated processed (anonymised) video; raw media export is prohibited`, f.source);
      const id = Number(m[1]);
      const state = validated(source, id);
      if (!state.ok) refuse(dir, `${f.path}: ${state.why}; raw or unvalidated media is never exported`, f.source);
      const video = source.getVideo(id);
      if (m[2] !== video.video_hash) refuse(dir, `${f.path} names video_hash ${m[2] ?? ""}, but video ${id} has ${video.video_hash}`, f.source);
      const sha = await sha256File(f.source);
      if (sha !== video.processed_file_sha256.toLowerCase()) refuse(dir, `${f.path} has SHA-256 ${sha}, not the processed (anonymised) file's ${video.processed_file_sha256}; it may be the raw video`, f.source);
      media.videos.push({ path: f.path, video_id: id, sha256: sha });
    } else if (IMAGE_EXT.has(ext)) {
      if (!f.path.startsWith("frames/")) refuse(dir, `${f.path} is an image outside frames/; only exported frames of validated videos may leave`, f.source);
      const m = /^frames\/video_(\d+)\//.exec(f.path);
      if (m !== null) {
        const state = validated(source, Number(m[1]));
        if (!state.ok) refuse(dir, `${f.path}: ${state.why}; its frames may not leave`, f.source);
        frameVideos.add(Number(m[1]));
      } else if (!referenced.has(f.path.slice("frames/".length))) {
        refuse(dir, `${f.path} is a frame that no annotation row references, so its video (and validation) is unknown`, f.source);
      }
      media.frame_files++;
    }
  }
  media.frame_video_ids = [...frameVideos].sort((a, b) => a - b);
  return media;
}

/**
 * Runs every pre-bundle check and gathers the manifest's metadata; throws DATA_SAFETY on refusal.
 * @example const { files } = await preflightBundle("export/video_1", { source });
 */
export async function preflightBundle(dir: string, options: BundlePreflightOptions = {}): Promise<BundlePreflightResult> {
  let parsed: { name: string; rows: FrameAnnotationRow[] } | undefined;
  const [files, check] = await Promise.all([
    listExportFiles(dir, options.skip),
    checkExport(dir, { ...(options.table === undefined ? {} : { table: options.table }), ...(options.source === undefined ? {} : { source: options.source }), onTable: (name, rows) => (parsed = { name, rows }) }),
  ]);
  const failed = check.checks.filter((c: ExportCheck) => c.status === "fail");
  if (failed.length > 0) {
    throw new TrainsetError("DATA_SAFETY", `Cannot bundle "${dir}": check-export fails: ${failed.map((c) => `${c.name}: ${c.detail}`).join("; ")}`, { file: dir, field: "check-export" });
  }
  const source = options.source;
  if (source === undefined) {
    throw new TrainsetError("DATA_SAFETY", `Cannot bundle "${dir}": the videos' anonymization validation cannot be confirmed without the video library; pass --library FILE`, { file: dir, field: "library" });
  }
  // check-export passed, so it parsed the table tableRows() would find; no second parse.
  const table = parsed ?? (await tableRows(dir, options.table));
  const rows = table?.rows ?? [];
  const datasets = await aiDatasets(dir);
  const videoIds = new Set(rows.map((r) => r.video_id));
  for (const d of datasets) for (const v of Object.values((d.patient_videos ?? {}) as Record<string, { id?: unknown }>)) if (typeof v.id === "number") videoIds.add(v.id);
  for (const id of videoIds) {
    const state = validated(source, id);
    if (!state.ok) refuse(dir, `${state.why}; raw or unvalidated media is never exported`);
  }
  const media = await checkMedia(dir, files, source, new Set(rows.map((r) => r.frame_relative_path)));
  const first = datasets[0];
  const metadata: BundleExportMetadata = {
    name: basename(dir),
    dataset: first === undefined ? null : { file: `ai_datasets/${first.file}`, id: typeof first.dataset_id === "number" ? first.dataset_id : null, name: typeof first.name === "string" ? first.name : null, dataset_type: String(first.dataset_type), ai_model_type: String(first.ai_model_type) },
    schema_version: first !== undefined && typeof first.schema_version === "string" ? first.schema_version : null,
    table: table?.name ?? null,
    video_ids: [...videoIds].sort((a, b) => a - b),
    counts: {
      files: files.length,
      bytes: files.reduce((s, f) => s + f.size, 0),
      annotation_rows: rows.length,
      frames: new Set(rows.map((r) => r.frame_id)).size,
      labels: new Set(rows.map((r) => r.label_name)).size,
      videos: videoIds.size,
    },
  };
  return { files, metadata, safety: { checks: check.checks, library: source.name, media, symlinks: files.filter((f) => f.linked).map((f) => f.path) } };
}
