/**
 * The export source over endoreg-db tables: the given videos with their state, segments (validated
 * from `labelvideosegmentstate`), frames and annotations, read in one read-only snapshot, so
 * `ensureSegmentAnnotations`, `exportAnnotated` and `buildAiDataset` run on the database exactly as on
 * a video-library file. Only `addAnnotations` writes: one transaction, `ON CONFLICT DO NOTHING`.
 */
import { resolve } from "node:path";
import { TrainsetError } from "../util/errors.js";
import type { LibraryAnnotation, LibraryFrame, LibraryInformationSource, LibraryLabel, LibrarySegment, LibraryVideo } from "../export/video-library.js";
import type { VideoSource } from "../export/video-source.js";
import { describeDb } from "./connection-config.js";
import type { DbSession, DbTx } from "./db-session.js";
import { checkSchema, EXPORT_SCHEMA } from "./endoreg-schema.js";

/** Options of {@link PostgresVideoSource.open}. */
export interface PostgresVideoSourceOptions {
  /** Videos to load (`endoreg_db_videofile.id`). */
  videoIds: readonly number[];
  /** endoreg-db's MEDIA_ROOT: relative `processed_file` and `frame_dir` resolve against it (default cwd). */
  mediaRoot?: string;
}

/** Python's `datetime.isoformat()` of a timestamp in UTC, as endoreg-db's exports write it. */
function isoSql(column: string): string {
  const utc = `(${column} AT TIME ZONE 'UTC')`;
  return `(to_char(${utc}, 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN to_char(${utc}, 'US') <> '000000' THEN '.' || to_char(${utc}, 'US') ELSE '' END || '+00:00')`;
}

const ANNOTATION_COLUMNS = `a.id::float8 AS id, a.frame_id::float8 AS frame_id, a.label_id::float8 AS label_id, a.value, a.float_value, a.annotator,
  a.information_source_id::float8 AS information_source_id, a.model_meta_id::float8 AS model_meta_id,
  ${isoSql("a.date_created")} AS date_created, ${isoSql("a.date_modified")} AS date_modified`;

interface Snapshot {
  videos: LibraryVideo[];
  labels: LibraryLabel[];
  sources: LibraryInformationSource[];
  segments: LibrarySegment[];
  frames: LibraryFrame[];
  annotations: LibraryAnnotation[];
}

async function readSnapshot(tx: DbTx, videoIds: readonly number[], action: string): Promise<Snapshot> {
  await checkSchema(tx, EXPORT_SCHEMA, action);
  const videos = await tx.query<Omit<LibraryVideo, "state"> & { anonymized: boolean | null; anonymization_validated: boolean | null; processing_error: boolean | null; ready_for_export: boolean | null; sha: string | null }>(
    `SELECT v.id::float8 AS id, v.uuid::text AS uuid, COALESCE(v.video_hash, '') AS video_hash, COALESCE(v.processed_file, '') AS processed_video_path,
       v.fps::float8 AS fps, v.frame_count::float8 AS frame_count, v.width::float8 AS width, v.height::float8 AS height,
       v.examination_id::float8 AS examination_id, v.export_segments_by_video, v.frame_dir,
       s.anonymized, s.anonymization_validated, s.processing_error, s.ready_for_export, s.processed_file_sha256 AS sha
     FROM endoreg_db_videofile v LEFT JOIN endoreg_db_videostate s ON s.id = v.state_id
     WHERE v.id = ANY ($1::bigint[]) ORDER BY v.id`,
    [videoIds],
  );
  for (const id of videoIds) {
    if (!videos.some((v) => v.id === id)) throw new TrainsetError("NOT_FOUND", `Cannot ${action}: no row with id ${id} in endoreg_db_videofile`, { field: "video_id" });
  }
  const labels = await tx.query<LibraryLabel>("SELECT id::float8 AS id, name FROM endoreg_db_label ORDER BY id");
  const sources = await tx.query<LibraryInformationSource>("SELECT id::float8 AS id, name FROM endoreg_db_informationsource ORDER BY id");
  const segments = await tx.query<LibrarySegment>(
    `SELECT s.id::float8 AS id, s.video_file_id::float8 AS video_id, s.label_id::float8 AS label_id, s.start_frame_number::float8 AS start_frame_number,
       s.end_frame_number::float8 AS end_frame_number, s.source_id::float8 AS source_id, s.prediction_meta_id::float8 AS prediction_meta_id,
       COALESCE(st.is_validated, false) AS validated, COALESCE(s.export_segment, false) AS export_segment
     FROM endoreg_db_labelvideosegment s LEFT JOIN endoreg_db_labelvideosegmentstate st ON st.origin_id = s.id
     WHERE s.video_file_id = ANY ($1::bigint[]) ORDER BY s.id`,
    [videoIds],
  );
  const frames = await tx.query<LibraryFrame>(
    "SELECT id::float8 AS id, video_id::float8 AS video_id, frame_number::float8 AS frame_number, relative_path FROM endoreg_db_frame WHERE video_id = ANY ($1::bigint[]) ORDER BY video_id, frame_number",
    [videoIds],
  );
  const annotations = await tx.query<LibraryAnnotation>(
    `SELECT ${ANNOTATION_COLUMNS} FROM endoreg_db_imageclassificationannotation a JOIN endoreg_db_frame f ON f.id = a.frame_id
     WHERE f.video_id = ANY ($1::bigint[]) ORDER BY a.id`,
    [videoIds],
  );
  return {
    videos: videos.map((v) => ({
      id: v.id,
      uuid: v.uuid,
      video_hash: v.video_hash,
      processed_video_path: v.processed_video_path,
      processed_file_sha256: v.sha ?? "",
      fps: v.fps,
      frame_count: v.frame_count,
      width: v.width,
      height: v.height,
      examination_id: v.examination_id,
      state: { anonymized: v.anonymized === true, anonymization_validated: v.anonymization_validated === true, processing_error: v.processing_error === true, ready_for_export: v.ready_for_export === true },
      export_segments_by_video: v.export_segments_by_video,
      ...(v.frame_dir === null || v.frame_dir === undefined || v.frame_dir === "" ? {} : { frame_dir: v.frame_dir }),
    })),
    labels,
    sources,
    segments,
    frames,
    annotations,
  };
}

/** A VideoSource over endoreg-db tables (a read-only snapshot of the given videos). */
export class PostgresVideoSource implements VideoSource {
  readonly name: string;
  private readonly root: string;
  /** Information sources to create in the write transaction (negative provisional ids). */
  private readonly pendingSources = new Map<number, string>();

  private constructor(
    private readonly session: DbSession,
    private readonly snap: Snapshot,
    mediaRoot: string,
  ) {
    this.name = describeDb(session.db);
    this.root = resolve(mediaRoot);
  }

  /**
   * Reads the videos and everything hanging on them in one read-only transaction.
   * @example const source = await PostgresVideoSource.open(session, { videoIds: [1], mediaRoot: "/srv/media" });
   */
  static async open(session: DbSession, options: PostgresVideoSourceOptions): Promise<PostgresVideoSource> {
    const action = `read video${options.videoIds.length === 1 ? "" : "s"} ${options.videoIds.join(", ")} from ${describeDb(session.db)}`;
    const snap = await session.readOnly(action, (tx) => readSnapshot(tx, options.videoIds, action));
    return new PostgresVideoSource(session, snap, options.mediaRoot ?? ".");
  }

  getVideo(videoId: number): LibraryVideo {
    const video = this.snap.videos.find((v) => v.id === videoId);
    if (video === undefined) throw new TrainsetError("NOT_FOUND", `Cannot find video ${videoId} in ${this.name}: it was not loaded (no such id in endoreg_db_videofile)`, { field: "video_id" });
    return video;
  }

  processedVideoPath(video: LibraryVideo): string {
    return resolve(this.root, video.processed_video_path);
  }

  frameDir(video: LibraryVideo): string | undefined {
    return video.frame_dir === undefined ? undefined : resolve(this.root, video.frame_dir);
  }

  segments(videoId: number): LibrarySegment[] {
    return this.snap.segments.filter((s) => s.video_id === videoId);
  }

  labels(): LibraryLabel[] {
    return this.snap.labels;
  }

  informationSources(): LibraryInformationSource[] {
    return this.snap.sources;
  }

  frames(video: LibraryVideo, start: number, end: number): LibraryFrame[] {
    return this.snap.frames.filter((f) => f.video_id === video.id && f.frame_number >= start && f.frame_number < end);
  }

  annotationsForFrames(frameIds: ReadonlySet<number>): LibraryAnnotation[] {
    return this.snap.annotations.filter((a) => frameIds.has(a.frame_id));
  }

  informationSourceId(name: string, create: boolean): number | undefined {
    const found = this.snap.sources.find((s) => s.name === name);
    if (found !== undefined || !create) return found?.id;
    for (const [id, pending] of this.pendingSources) if (pending === name) return id;
    const id = -(this.pendingSources.size + 1);
    this.pendingSources.set(id, name);
    return id;
  }

  /** Inserts the rows in one transaction; rows that already exist (unique key) are skipped. */
  async addAnnotations(rows: Array<Omit<LibraryAnnotation, "id">>): Promise<LibraryAnnotation[]> {
    const action = `write ${rows.length} frame annotations to ${this.name}`;
    return this.session.write(action, async (tx) => {
      const ids = new Map<number, number>();
      for (const [provisional, name] of this.pendingSources) {
        const existing = await tx.query<{ id: number }>("SELECT id::float8 AS id FROM endoreg_db_informationsource WHERE name = $1 ORDER BY id LIMIT 1", [name]);
        const made = existing[0] ?? (await tx.query<{ id: number }>("INSERT INTO endoreg_db_informationsource (name) VALUES ($1) RETURNING id::float8 AS id", [name]))[0];
        if (made !== undefined) ids.set(provisional, made.id);
      }
      const col = <K extends keyof Omit<LibraryAnnotation, "id">>(k: K): Array<Omit<LibraryAnnotation, "id">[K]> => rows.map((r) => r[k]);
      const sourceIds = col("information_source_id").map((id) => (id !== null && id < 0 ? (ids.get(id) ?? null) : id));
      const inserted = await tx.query<LibraryAnnotation>(
        `WITH ins AS (
           INSERT INTO endoreg_db_imageclassificationannotation (frame_id, label_id, value, float_value, annotator, information_source_id, model_meta_id, date_created, date_modified)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bool[], $4::float8[], $5::text[], $6::bigint[], $7::bigint[], $8::timestamptz[], $9::timestamptz[])
           ON CONFLICT DO NOTHING RETURNING *)
         SELECT ${ANNOTATION_COLUMNS} FROM ins a ORDER BY a.id`,
        [col("frame_id"), col("label_id"), col("value"), col("float_value"), col("annotator"), sourceIds, col("model_meta_id"), col("date_created"), col("date_modified")],
      );
      for (const [provisional, id] of ids) {
        const name = this.pendingSources.get(provisional) ?? "";
        if (!this.snap.sources.some((s) => s.id === id)) this.snap.sources.push({ id, name });
      }
      this.pendingSources.clear();
      this.snap.annotations.push(...inserted);
      return inserted;
    });
  }
}
