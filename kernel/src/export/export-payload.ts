/** The export-annotated payload (lx-annotate's `export-annotated` API, snake_case keys). */
import { describeValue } from "../util/describe-value.js";
import { TrainsetError } from "../util/errors.js";
import type { FrameImageExt } from "./frame-extraction.js";

/** The payload as the API and CLI accept it; unset fields take the documented defaults. */
export interface ExportAnnotatedPayload {
  video_id: number;
  /** Explicit segments; excludes `use_export_flags`. */
  segment_ids?: number[];
  /** Segments with `export_segment` (or all, with `export_segments_by_video`). Default false: all segments. */
  use_export_flags?: boolean;
  output_dir: string;
  /** Relative to output_dir (default `annotations.<output_format>`). */
  output_path?: string;
  /** Default: from output_path's extension, else csv. */
  output_format?: "csv" | "json";
  export_videos?: boolean;
  export_frames?: boolean;
  transcode_frames?: boolean;
  /** Recorded; frames are extracted exactly, not resampled (default 30). */
  transcode_fps?: number;
  /** ffmpeg `-qscale:v`, 1..31 (default 2). */
  transcode_quality?: number;
  transcode_ext?: FrameImageExt;
  /** `frame_<frame_id>.<ext>` names; default = transcode_frames. */
  use_frame_pk_paths?: boolean;
  /** Keep only rows whose value is true (default false). */
  only_true?: boolean;
}

/** The payload with every default applied. */
export type ResolvedExportPayload = Required<Omit<ExportAnnotatedPayload, "segment_ids">> & { segment_ids?: number[] };

const KEYS = new Set(["video_id", "segment_ids", "use_export_flags", "output_dir", "output_path", "output_format", "export_videos", "export_frames", "transcode_frames", "transcode_fps", "transcode_quality", "transcode_ext", "use_frame_pk_paths", "only_true"]);

function bad(field: string, what: string, value: unknown): never {
  throw new TrainsetError("VALIDATION_ERROR", `Cannot export annotations: ${field} must be ${what}, got ${describeValue(value)}`, { field });
}

/**
 * Validates a payload (unknown keys refused) and applies the defaults. Pure.
 * @example parseExportPayload({ video_id: 1, output_dir: "out" }).transcode_fps // 30
 */
export function parseExportPayload(input: unknown): ResolvedExportPayload {
  if (typeof input !== "object" || input === null || Array.isArray(input)) bad("payload", "an object", input);
  const p = input as Record<string, unknown>;
  for (const key of Object.keys(p)) if (!KEYS.has(key)) throw new TrainsetError("VALIDATION_ERROR", `Cannot export annotations: ${key} is not a payload field (expected ${[...KEYS].join(", ")})`, { field: key });
  const int = (k: string): number => (typeof p[k] === "number" && Number.isSafeInteger(p[k]) && (p[k]) >= 0 ? (p[k]) : bad(k, "a whole number >= 0", p[k]));
  const bool = (k: string, d: boolean): boolean => (p[k] === undefined ? d : typeof p[k] === "boolean" ? (p[k]) : bad(k, "true or false", p[k]));
  const str = (k: string): string => (typeof p[k] === "string" && p[k] !== "" ? (p[k]) : bad(k, "a non-empty string", p[k]));
  const video_id = int("video_id");
  const output_dir = str("output_dir");
  let segment_ids: number[] | undefined;
  if (p["segment_ids"] !== undefined) {
    const list = p["segment_ids"];
    if (!Array.isArray(list) || list.length === 0) bad("segment_ids", "a non-empty list of segment ids", list);
    segment_ids = (list as unknown[]).map((v, i) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : bad(`segment_ids[${i}]`, "a whole number >= 0", v)));
  }
  const use_export_flags = bool("use_export_flags", false);
  if (segment_ids !== undefined && use_export_flags) throw new TrainsetError("VALIDATION_ERROR", "Cannot export annotations: give segment_ids or use_export_flags, not both", { field: "segment_ids" });
  let output_format: "csv" | "json";
  if (p["output_format"] === undefined) output_format = typeof p["output_path"] === "string" && p["output_path"].toLowerCase().endsWith(".json") ? "json" : "csv";
  else if (p["output_format"] === "csv" || p["output_format"] === "json") output_format = p["output_format"];
  else bad("output_format", '"csv" or "json"', p["output_format"]);
  const output_path = p["output_path"] === undefined ? `annotations.${output_format}` : str("output_path");
  const transcode_frames = bool("transcode_frames", false);
  const transcode_fps = p["transcode_fps"] === undefined ? 30 : typeof p["transcode_fps"] === "number" && p["transcode_fps"] > 0 && Number.isFinite(p["transcode_fps"]) ? p["transcode_fps"] : bad("transcode_fps", "a number > 0", p["transcode_fps"]);
  const transcode_quality = p["transcode_quality"] === undefined ? 2 : Number.isInteger(p["transcode_quality"]) && (p["transcode_quality"] as number) >= 1 && (p["transcode_quality"] as number) <= 31 ? (p["transcode_quality"] as number) : bad("transcode_quality", "a whole number 1..31", p["transcode_quality"]);
  const ext = p["transcode_ext"] ?? "jpg";
  const transcode_ext: FrameImageExt = ext === "jpg" || ext === "jpeg" ? "jpg" : ext === "png" ? "png" : bad("transcode_ext", '"jpg" or "png"', ext);
  return {
    video_id,
    ...(segment_ids === undefined ? {} : { segment_ids }),
    use_export_flags,
    output_dir,
    output_path,
    output_format,
    export_videos: bool("export_videos", false),
    export_frames: bool("export_frames", false),
    transcode_frames,
    transcode_fps,
    transcode_quality,
    transcode_ext,
    use_frame_pk_paths: bool("use_frame_pk_paths", transcode_frames),
    only_true: bool("only_true", false),
  };
}
