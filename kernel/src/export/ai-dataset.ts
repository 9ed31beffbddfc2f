/**
 * The standardized AI-dataset JSON (lx-data-models contract, `schema_version` "1.0", strict: no
 * extra or missing fields), built from a video source, validated, then written atomically under
 * `<export>/ai_datasets/<dataset>_<type>_<timestamp>.json`. Only anonymisation-validated videos are
 * accepted; `sensitive_meta` and `patient` are always null.
 */
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { describeValue } from "../util/describe-value.js";
import { TrainsetError } from "../util/errors.js";
import { sha256Hex } from "../util/hashing.js";
import { assertSafeRelativePath, resolveInside } from "./export-safety.js";
import { frameTimestamp } from "./frame-extraction.js";
import type { VideoSource } from "./video-source.js";

/** The schema version this module writes and validates. */
export const AI_DATASET_SCHEMA_VERSION = "1.0";

/** One frame annotation of the contract. */
export interface AiDatasetFrameAnnotation {
  annotation_id: number;
  frame_id: number;
  frame_number: number;
  timestamp: number;
  relative_path: string;
  file_path: string | null;
  video_id: number;
  video_uuid: string;
  video_hash: string;
  label: { id: number; name: string; labelset_name: string | null };
  value: boolean;
  confidence: number | null;
  annotator: string | null;
  information_source_name: string | null;
  model_meta_id: number | null;
  date_created: string;
  date_modified: string;
}

/** A video segment inside a PatientVideoFile. */
export interface AiDatasetSegment {
  start_frame_number: number;
  end_frame_number: number;
  label: string | null;
  labelset: string | null;
  export_segment: boolean;
  state: { prediction: boolean; annotation: boolean; is_validated: boolean };
}

/** lx_dtypes' PatientVideoFile, as exported (sensitive fields null). */
export interface AiDatasetPatientVideo {
  uuid: string;
  tags: string[];
  external_ids: { video_hash: string };
  patient: null;
  patient_examination: { examination_id: number } | null;
  anonymization_state: { anonymized: boolean; anonymization_validated: boolean };
  sensitive_meta: null;
  patient_video_segments: Record<string, AiDatasetSegment>;
}

/** The whole document. */
export interface AiDataset {
  schema_version: string;
  dataset_id: number;
  name: string;
  description: string;
  dataset_type: "image" | "video";
  ai_model_type: string;
  is_active: boolean;
  created_at: string;
  updated_at: string;
  summary: { image_annotation_count: number; video_annotation_count: number; frame_count: number; video_count: number; label_count: number };
  patient_videos: Record<string, AiDatasetPatientVideo>;
  frame_annotations: AiDatasetFrameAnnotation[];
}

/** Options of {@link buildAiDataset}. */
export interface BuildAiDatasetOptions {
  datasetId: number;
  name: string;
  description?: string;
  /** Default `image`. */
  datasetType?: "image" | "video";
  /** Default `image_multilabel_classification`. */
  aiModelType?: string;
  videoIds: readonly number[];
  labelsetName?: string | null;
  /** ISO 8601 (default now). */
  now?: string;
}

/** A stable UUID-shaped id for a segment (the file library has no segment uuids). */
function segmentUuid(videoUuid: string, segmentId: number): string {
  const h = sha256Hex(`${videoUuid}:segment:${segmentId}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Builds the AI-dataset document from a source; refuses videos that are not anonymization-validated.
 * @example const doc = buildAiDataset(source, { datasetId: 7, name: "colo", videoIds: [1] });
 */
export function buildAiDataset(source: VideoSource, options: BuildAiDatasetOptions): AiDataset {
  const now = options.now ?? new Date().toISOString();
  const labels = new Map(source.labels().map((l) => [l.id, l.name]));
  const sources = new Map(source.informationSources().map((s) => [s.id, s.name]));
  const labelset = options.labelsetName ?? null;
  const patientVideos: Record<string, AiDatasetPatientVideo> = {};
  const frameAnnotations: AiDatasetFrameAnnotation[] = [];
  const frameIds = new Set<number>();
  const usedLabels = new Set<number>();
  for (const id of options.videoIds) {
    const video = source.getVideo(id);
    if (!video.state.anonymization_validated) throw new TrainsetError("DATA_SAFETY", `Cannot export AI dataset "${options.name}": video ${id} is not anonymization-validated`, { field: "state.anonymization_validated" });
    const segments: Record<string, AiDatasetSegment> = {};
    for (const s of source.segments(id)) {
      const prediction = s.source_id !== null && sources.get(s.source_id) === "prediction";
      segments[segmentUuid(video.uuid, s.id)] = { start_frame_number: s.start_frame_number, end_frame_number: s.end_frame_number, label: s.label_id === null ? null : (labels.get(s.label_id) ?? null), labelset, export_segment: s.export_segment, state: { prediction, annotation: !prediction, is_validated: s.validated } };
    }
    patientVideos[video.uuid] = {
      uuid: video.uuid,
      tags: [],
      external_ids: { video_hash: video.video_hash },
      patient: null,
      patient_examination: video.examination_id === null ? null : { examination_id: video.examination_id },
      anonymization_state: { anonymized: video.state.anonymized, anonymization_validated: video.state.anonymization_validated },
      sensitive_meta: null,
      patient_video_segments: segments,
    };
    const frames = source.frames(video, 0, video.frame_count);
    const byId = new Map(frames.map((f) => [f.id, f]));
    const dir = source.frameDir(video);
    for (const a of source.annotationsForFrames(new Set(byId.keys())).sort((x, y) => x.id - y.id)) {
      const f = byId.get(a.frame_id);
      if (f === undefined) continue;
      frameIds.add(f.id);
      usedLabels.add(a.label_id);
      frameAnnotations.push({
        annotation_id: a.id,
        frame_id: f.id,
        frame_number: f.frame_number,
        timestamp: frameTimestamp(f.frame_number, video.fps),
        relative_path: f.relative_path,
        file_path: dir === undefined ? null : join(dir, f.relative_path),
        video_id: video.id,
        video_uuid: video.uuid,
        video_hash: video.video_hash,
        label: { id: a.label_id, name: labels.get(a.label_id) ?? "", labelset_name: labelset },
        value: a.value,
        confidence: a.float_value,
        annotator: a.annotator,
        information_source_name: a.information_source_id === null ? null : (sources.get(a.information_source_id) ?? null),
        model_meta_id: a.model_meta_id,
        date_created: a.date_created,
        date_modified: a.date_modified,
      });
    }
  }
  const type = options.datasetType ?? "image";
  return {
    schema_version: AI_DATASET_SCHEMA_VERSION,
    dataset_id: options.datasetId,
    name: options.name,
    description: options.description ?? "",
    dataset_type: type,
    ai_model_type: options.aiModelType ?? "image_multilabel_classification",
    is_active: true,
    created_at: now,
    updated_at: now,
    summary: { image_annotation_count: type === "image" ? frameAnnotations.length : 0, video_annotation_count: type === "video" ? frameAnnotations.length : 0, frame_count: frameIds.size, video_count: options.videoIds.length, label_count: usedLabels.size },
    patient_videos: patientVideos,
    frame_annotations: frameAnnotations,
  };
}

type Spec = "int" | "str" | "str?" | "bool" | "num" | "num?" | "int?" | "null" | "iso" | { [key: string]: Spec } | ["list", Spec] | ["map", Spec];

const LABEL: Spec = { id: "int", name: "str", labelset_name: "str?" };
const FRAME_ANNOTATION: Spec = { annotation_id: "int", frame_id: "int", frame_number: "int", timestamp: "num", relative_path: "str", file_path: "str?", video_id: "int", video_uuid: "str", video_hash: "str", label: LABEL, value: "bool", confidence: "num?", annotator: "str?", information_source_name: "str?", model_meta_id: "int?", date_created: "iso", date_modified: "iso" };
const SEGMENT: Spec = { start_frame_number: "int", end_frame_number: "int", label: "str?", labelset: "str?", export_segment: "bool", state: { prediction: "bool", annotation: "bool", is_validated: "bool" } };
const PATIENT_VIDEO: Spec = { uuid: "str", tags: ["list", "str"], external_ids: { video_hash: "str" }, patient: "null", patient_examination: "null", anonymization_state: { anonymized: "bool", anonymization_validated: "bool" }, sensitive_meta: "null", patient_video_segments: ["map", SEGMENT] };
const DATASET: Spec = { schema_version: "str", dataset_id: "int", name: "str", description: "str", dataset_type: "str", ai_model_type: "str", is_active: "bool", created_at: "iso", updated_at: "iso", summary: { image_annotation_count: "int", video_annotation_count: "int", frame_count: "int", video_count: "int", label_count: "int" }, patient_videos: ["map", PATIENT_VIDEO], frame_annotations: ["list", FRAME_ANNOTATION] };
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function check(spec: Spec, value: unknown, path: string): string | undefined {
  const isObj = typeof value === "object" && value !== null && !Array.isArray(value);
  if (typeof spec === "string") {
    const ok =
      spec === "int" ? Number.isSafeInteger(value) && (value as number) >= 0
      : spec === "int?" ? value === null || (Number.isSafeInteger(value) && (value as number) >= 0)
      : spec === "num" ? typeof value === "number" && Number.isFinite(value)
      : spec === "num?" ? value === null || (typeof value === "number" && Number.isFinite(value))
      : spec === "str" ? typeof value === "string"
      : spec === "str?" ? value === null || typeof value === "string"
      : spec === "bool" ? typeof value === "boolean"
      : spec === "iso" ? typeof value === "string" && ISO.test(value)
      : value === null;
    return ok ? undefined : `${path} must be ${spec === "iso" ? "an ISO 8601 date-time" : spec}, got ${describeValue(value)}`;
  }
  if (Array.isArray(spec)) {
    const [kind, inner] = spec;
    if (kind === "list") {
      if (!Array.isArray(value)) return `${path} must be a list, got ${describeValue(value)}`;
      for (let i = 0; i < value.length; i++) {
        const e = check(inner, value[i], `${path}[${i}]`);
        if (e !== undefined) return e;
      }
      return undefined;
    }
    if (!isObj) return `${path} must be an object, got ${describeValue(value)}`;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const e = check(inner, v, `${path}.${k}`);
      if (e !== undefined) return e;
    }
    return undefined;
  }
  if (!isObj) return `${path} must be an object, got ${describeValue(value)}`;
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (!(k in spec)) return `${path}.${k} is not part of schema ${AI_DATASET_SCHEMA_VERSION}`;
  for (const [k, s] of Object.entries(spec)) {
    if (!(k in obj)) return `${path}.${k} is missing`;
    // patient_examination is an object or null.
    if (k === "patient_examination" && obj[k] !== null) {
      const e = check({ examination_id: "int" }, obj[k], `${path}.${k}`);
      if (e !== undefined) return e;
      continue;
    }
    const e = check(s, obj[k], `${path}.${k}`);
    if (e !== undefined) return e;
  }
  return undefined;
}

/**
 * Validates a document against the strict 1.0 contract; throws naming the JSON path. Pure.
 * @example validateAiDataset(JSON.parse(text));
 */
export function validateAiDataset(value: unknown): AiDataset {
  const error = check(DATASET, value, "$");
  const doc = value as AiDataset;
  const problem =
    error ??
    (doc.schema_version !== AI_DATASET_SCHEMA_VERSION ? `$.schema_version must be "${AI_DATASET_SCHEMA_VERSION}", got ${describeValue(doc.schema_version)}`
    : doc.dataset_type !== "image" && doc.dataset_type !== "video" ? `$.dataset_type must be "image" or "video", got ${describeValue(doc.dataset_type)}`
    : Object.values(doc.patient_videos).find((v) => !v.anonymization_state.anonymization_validated) !== undefined ? "$.patient_videos holds a video that is not anonymization-validated"
    : undefined);
  if (problem !== undefined) throw new TrainsetError("VALIDATION_ERROR", `Cannot validate AI dataset: ${problem}`, { field: problem.split(" ")[0] ?? "$" });
  return doc;
}

/**
 * Validates and writes a document to `<exportDir>/ai_datasets/<name>_<type>_<timestamp>.json`.
 * @example const path = await writeAiDataset("data/export", doc);
 */
export async function writeAiDataset(exportDir: string, doc: AiDataset, options: { now?: Date } = {}): Promise<string> {
  validateAiDataset(doc);
  const stamp = (options.now ?? new Date()).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const file = `${doc.name}_${doc.dataset_type}_${stamp}.json`;
  if (!/^[\w.-]+$/.test(doc.name)) throw new TrainsetError("DATA_SAFETY", `Cannot write AI dataset "${doc.name}": the name may only use letters, digits, "_", "-" and "."`, { field: "name" });
  const target = resolveInside(exportDir, assertSafeRelativePath(`ai_datasets/${file}`, "name"), "name");
  await writeJsonAtomic(target, doc);
  return target;
}
