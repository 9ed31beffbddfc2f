/**
 * The video-library file (`library_version: 1`): a JSON description of annotated videos in the
 * shape of endoreg-db's tables (videofile + videostate, label, informationsource,
 * labelvideosegment, frame, imageclassificationannotation), so exports can run without a database.
 */
import { readFile } from "node:fs/promises";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { describeValue } from "../util/describe-value.js";
import { ioError, TrainsetError } from "../util/errors.js";

/** endoreg-db's videostate flags that gate exports. */
export interface VideoState {
  anonymized: boolean;
  anonymization_validated: boolean;
  processing_error: boolean;
  ready_for_export: boolean;
}

/** One processed (anonymised) video. */
export interface LibraryVideo {
  id: number;
  uuid: string;
  video_hash: string;
  /** Relative to the library file; the anonymised processed video, never the raw one. */
  processed_video_path: string;
  /** SHA-256 recorded when the processed file was made; media export refuses a mismatch. */
  processed_file_sha256: string;
  fps: number;
  frame_count: number;
  width: number;
  height: number;
  examination_id: number | null;
  state: VideoState;
  export_segments_by_video: boolean;
  /** Relative to the library file: where already extracted frames lie (optional). */
  frame_dir?: string;
}

/** A label (`endoreg_db_label`). */
export interface LibraryLabel {
  id: number;
  name: string;
}

/** An information source (`manual_annotation`, `prediction`, …). */
export interface LibraryInformationSource {
  id: number;
  name: string;
}

/** A labelled frame range [start, end) of one video. */
export interface LibrarySegment {
  id: number;
  video_id: number;
  label_id: number | null;
  start_frame_number: number;
  /** Exclusive. */
  end_frame_number: number;
  source_id: number | null;
  prediction_meta_id: number | null;
  validated: boolean;
  export_segment: boolean;
}

/** A frame row (`endoreg_db_frame`); optional, ids are derived when absent. */
export interface LibraryFrame {
  id: number;
  video_id: number;
  frame_number: number;
  relative_path: string;
}

/** A frame-level annotation (`endoreg_db_imageclassificationannotation`). */
export interface LibraryAnnotation {
  id: number;
  frame_id: number;
  label_id: number;
  value: boolean;
  float_value: number | null;
  annotator: string | null;
  information_source_id: number | null;
  model_meta_id: number | null;
  date_created: string;
  date_modified: string;
}

/** The whole library file. */
export interface VideoLibrary {
  library_version: 1;
  videos: LibraryVideo[];
  labels: LibraryLabel[];
  information_sources: LibraryInformationSource[];
  segments: LibrarySegment[];
  frames?: LibraryFrame[];
  annotations: LibraryAnnotation[];
}

type Kind = "int" | "int?" | "num" | "num?" | "str" | "str?" | "bool" | "state";

const SHAPES = {
  videos: { id: "int", uuid: "str", video_hash: "str", processed_video_path: "str", processed_file_sha256: "str", fps: "num", frame_count: "int", width: "int", height: "int", examination_id: "int?", state: "state", export_segments_by_video: "bool", frame_dir: "str?" },
  labels: { id: "int", name: "str" },
  information_sources: { id: "int", name: "str" },
  segments: { id: "int", video_id: "int", label_id: "int?", start_frame_number: "int", end_frame_number: "int", source_id: "int?", prediction_meta_id: "int?", validated: "bool", export_segment: "bool" },
  frames: { id: "int", video_id: "int", frame_number: "int", relative_path: "str" },
  annotations: { id: "int", frame_id: "int", label_id: "int", value: "bool", float_value: "num?", annotator: "str?", information_source_id: "int?", model_meta_id: "int?", date_created: "str", date_modified: "str" },
} as const satisfies Record<string, Record<string, Kind>>;

const OPTIONAL_FIELDS = new Set(["frame_dir"]);
const STATE_FIELDS = ["anonymized", "anonymization_validated", "processing_error", "ready_for_export"] as const;

function fits(kind: Kind, value: unknown): boolean {
  if (kind.endsWith("?") && value === null) return true;
  switch (kind) {
    case "int":
    case "int?":
      return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
    case "num":
    case "num?":
      return typeof value === "number" && Number.isFinite(value);
    case "str":
    case "str?":
      return typeof value === "string";
    case "bool":
      return typeof value === "boolean";
    case "state":
      return typeof value === "object" && value !== null && STATE_FIELDS.every((f) => typeof (value as Record<string, unknown>)[f] === "boolean");
  }
}

const EXPECTED: Record<Kind, string> = {
  int: "a whole number >= 0",
  "int?": "a whole number >= 0 or null",
  num: "a finite number",
  "num?": "a finite number or null",
  str: "a string",
  "str?": "a string or null",
  bool: "true or false",
  state: `an object with boolean ${STATE_FIELDS.join(", ")}`,
};

/**
 * Parses and validates a library file's text; throws naming the file and JSON path. Pure.
 * @example parseVideoLibrary(text, "library.json").videos[0]?.fps
 */
export function parseVideoLibrary(text: string, file = "video library"): VideoLibrary {
  const fail = (field: string, what: string): never => {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot read video library "${file}": ${field} ${what}`, { file, field });
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new TrainsetError("PARSE_ERROR", `Cannot read video library "${file}": not valid JSON (${error instanceof Error ? error.message : String(error)})`, { file });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return fail("(top level)", "must be an object");
  const obj = data as Record<string, unknown>;
  if (obj["library_version"] !== 1) fail("library_version", `must be 1, got ${describeValue(obj["library_version"])}`);
  for (const [table, shape] of Object.entries(SHAPES)) {
    const list = obj[table];
    if (list === undefined && table === "frames") continue;
    if (!Array.isArray(list)) fail(table, `must be a list, got ${describeValue(list)}`);
    const ids = new Set<number>();
    (list as unknown[]).forEach((item, i) => {
      if (typeof item !== "object" || item === null || Array.isArray(item)) fail(`${table}[${i}]`, "must be an object");
      const row = item as Record<string, unknown>;
      for (const [field, kind] of Object.entries(shape) as Array<[string, Kind]>) {
        if (!(field in row) && OPTIONAL_FIELDS.has(field)) continue;
        if (!fits(kind, row[field])) fail(`${table}[${i}].${field}`, `must be ${EXPECTED[kind]}, got ${describeValue(row[field])}`);
      }
      const id = row["id"] as number;
      if (ids.has(id)) fail(`${table}[${i}].id`, `repeats id ${id}`);
      ids.add(id);
    });
  }
  const lib = obj as unknown as VideoLibrary;
  const videos = new Map(lib.videos.map((v) => [v.id, v]));
  lib.videos.forEach((v, i) => {
    if (v.fps <= 0) fail(`videos[${i}].fps`, `must be > 0, got ${v.fps}`);
  });
  lib.segments.forEach((s, i) => {
    if (!videos.has(s.video_id)) fail(`segments[${i}].video_id`, `points to video ${s.video_id}, which is not in videos`);
    if (s.start_frame_number >= s.end_frame_number) fail(`segments[${i}].end_frame_number`, `must be greater than start_frame_number (${s.start_frame_number}), got ${s.end_frame_number} (end is exclusive)`);
  });
  lib.frames?.forEach((f, i) => {
    if (!videos.has(f.video_id)) fail(`frames[${i}].video_id`, `points to video ${f.video_id}, which is not in videos`);
  });
  const labels = new Set(lib.labels.map((l) => l.id));
  lib.annotations.forEach((a, i) => {
    if (!labels.has(a.label_id)) fail(`annotations[${i}].label_id`, `points to label ${a.label_id}, which is not in labels`);
  });
  return lib;
}

/**
 * Reads and validates a library file.
 * @example const lib = await readVideoLibrary("library.json");
 */
export async function readVideoLibrary(path: string): Promise<VideoLibrary> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw ioError("read video library", path, error);
  }
  return parseVideoLibrary(text, path);
}

/**
 * Writes a library file atomically (whole file, temp + rename).
 * @example await writeVideoLibrary("library.json", lib);
 */
export async function writeVideoLibrary(path: string, library: VideoLibrary): Promise<void> {
  await writeJsonAtomic(path, library);
}
