/**
 * The endoreg-db tables (names and columns as in wg-lux/endoreg-db, plus lx-ai's
 * `frame.old_examination_id`) and loaders that put the same data into them that the file fixtures
 * hold: a video library and a legacy JSONL dataset.
 */
import pg from "pg";
import type { LegacyRecord, VideoLibrary } from "trainset";

/** DDL of the endoreg-db tables trainset reads. */
export const ENDOREG_DDL = `
CREATE TABLE endoreg_db_label (id bigserial PRIMARY KEY, name varchar(255) NOT NULL, label_type_id bigint);
CREATE TABLE endoreg_db_labelset (id bigserial PRIMARY KEY, name varchar(255) NOT NULL, version integer NOT NULL DEFAULT 1, description text);
CREATE TABLE endoreg_db_labelset_labels (id bigserial PRIMARY KEY, labelset_id bigint NOT NULL REFERENCES endoreg_db_labelset, label_id bigint NOT NULL REFERENCES endoreg_db_label, UNIQUE (labelset_id, label_id));
CREATE TABLE endoreg_db_informationsource (id bigserial PRIMARY KEY, name varchar(255) NOT NULL, abbreviation varchar(255));
CREATE TABLE endoreg_db_videostate (id bigserial PRIMARY KEY, anonymized boolean NOT NULL DEFAULT false, anonymization_validated boolean NOT NULL DEFAULT false,
  outside_segments_removed boolean NOT NULL DEFAULT false, ready_for_export boolean NOT NULL DEFAULT false, processing_error boolean NOT NULL DEFAULT false, processed_file_sha256 varchar(64));
CREATE TABLE endoreg_db_videofile (id bigserial PRIMARY KEY, uuid uuid NOT NULL, video_hash varchar(255), processed_video_hash varchar(255), processed_file varchar(255),
  frame_dir varchar(512), fps double precision, frame_count integer, width integer, height integer, examination_id bigint, patient_id bigint,
  state_id bigint REFERENCES endoreg_db_videostate, export_segments_by_video boolean NOT NULL DEFAULT false);
CREATE TABLE endoreg_db_frame (id bigserial PRIMARY KEY, video_id bigint NOT NULL REFERENCES endoreg_db_videofile, frame_number integer NOT NULL, relative_path varchar(255) NOT NULL,
  timestamp double precision, is_extracted boolean NOT NULL DEFAULT false, old_examination_id bigint, UNIQUE (video_id, frame_number));
CREATE TABLE endoreg_db_labelvideosegment (id bigserial PRIMARY KEY, video_file_id bigint REFERENCES endoreg_db_videofile, label_id bigint REFERENCES endoreg_db_label,
  start_frame_number integer NOT NULL, end_frame_number integer NOT NULL, source_id bigint, prediction_meta_id bigint, export_segment boolean NOT NULL DEFAULT false);
CREATE TABLE endoreg_db_labelvideosegmentstate (id bigserial PRIMARY KEY, origin_id bigint UNIQUE REFERENCES endoreg_db_labelvideosegment, prediction boolean NOT NULL DEFAULT false,
  annotation boolean NOT NULL DEFAULT false, frames_extracted boolean NOT NULL DEFAULT false, is_validated boolean NOT NULL DEFAULT false);
CREATE TABLE endoreg_db_imageclassificationannotation (id bigserial PRIMARY KEY, frame_id bigint NOT NULL REFERENCES endoreg_db_frame, label_id bigint NOT NULL REFERENCES endoreg_db_label,
  value boolean NOT NULL, float_value double precision, annotator varchar(255), external_annotation_id varchar(255), model_meta_id bigint,
  information_source_id bigint REFERENCES endoreg_db_informationsource, date_created timestamptz NOT NULL DEFAULT now(), date_modified timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT unique_frame_annotation UNIQUE NULLS NOT DISTINCT (frame_id, label_id, information_source_id, annotator));
CREATE TABLE endoreg_db_aidataset (id bigserial PRIMARY KEY, name varchar(255) NOT NULL, description text, ai_model_type varchar(255) NOT NULL DEFAULT 'image_multilabel_classification',
  dataset_type varchar(16) NOT NULL DEFAULT 'image', created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), is_active boolean NOT NULL DEFAULT true);
CREATE TABLE endoreg_db_aidataset_image_annotations (id bigserial PRIMARY KEY, aidataset_id bigint NOT NULL REFERENCES endoreg_db_aidataset,
  imageclassificationannotation_id bigint NOT NULL REFERENCES endoreg_db_imageclassificationannotation);
`;

/** Creates the tables in a fresh database. */
export async function createEndoregSchema(client: pg.Client): Promise<void> {
  await client.query(ENDOREG_DDL);
}

/** Inserts a video library (ids kept; frames derived as the file source derives them when absent). */
export async function loadVideoLibrary(client: pg.Client, lib: VideoLibrary, stride = 1_000_000_000): Promise<void> {
  for (const l of lib.labels) await client.query("INSERT INTO endoreg_db_label (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", [l.id, l.name]);
  for (const s of lib.information_sources) await client.query("INSERT INTO endoreg_db_informationsource (id, name) VALUES ($1, $2)", [s.id, s.name]);
  for (const v of lib.videos) {
    const st = v.state;
    const state = await client.query<{ id: string }>(
      "INSERT INTO endoreg_db_videostate (anonymized, anonymization_validated, processing_error, ready_for_export, processed_file_sha256) VALUES ($1, $2, $3, $4, $5) RETURNING id",
      [st.anonymized, st.anonymization_validated, st.processing_error, st.ready_for_export, v.processed_file_sha256],
    );
    await client.query(
      "INSERT INTO endoreg_db_videofile (id, uuid, video_hash, processed_file, frame_dir, fps, frame_count, width, height, examination_id, state_id, export_segments_by_video) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
      [v.id, v.uuid, v.video_hash, v.processed_video_path, v.frame_dir ?? null, v.fps, v.frame_count, v.width, v.height, v.examination_id, state.rows[0]?.id, v.export_segments_by_video],
    );
    if (lib.frames === undefined) {
      await client.query(
        "INSERT INTO endoreg_db_frame (id, video_id, frame_number, relative_path) SELECT $1::bigint * $3 + n, $1, n, 'frame_' || lpad(n::text, 7, '0') || '.jpg' FROM generate_series(0, $2::int - 1) n",
        [v.id, v.frame_count, stride],
      );
    }
  }
  for (const f of lib.frames ?? []) await client.query("INSERT INTO endoreg_db_frame (id, video_id, frame_number, relative_path) VALUES ($1,$2,$3,$4)", [f.id, f.video_id, f.frame_number, f.relative_path]);
  for (const s of lib.segments) {
    await client.query(
      "INSERT INTO endoreg_db_labelvideosegment (id, video_file_id, label_id, start_frame_number, end_frame_number, source_id, prediction_meta_id, export_segment) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
      [s.id, s.video_id, s.label_id, s.start_frame_number, s.end_frame_number, s.source_id, s.prediction_meta_id, s.export_segment],
    );
    await client.query("INSERT INTO endoreg_db_labelvideosegmentstate (origin_id, is_validated) VALUES ($1, $2)", [s.id, s.validated]);
  }
  for (const a of lib.annotations) {
    await client.query(
      "INSERT INTO endoreg_db_imageclassificationannotation (id, frame_id, label_id, value, float_value, annotator, information_source_id, model_meta_id, date_created, date_modified) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
      [a.id, a.frame_id, a.label_id, a.value, a.float_value, a.annotator, a.information_source_id, a.model_meta_id, a.date_created, a.date_modified],
    );
  }
  for (const t of ["label", "informationsource", "imageclassificationannotation", "labelvideosegment", "frame", "videofile"]) {
    await client.query(`SELECT setval(pg_get_serial_sequence('endoreg_db_${t}', 'id'), COALESCE((SELECT max(id) FROM endoreg_db_${t}), 0) + 1, false)`);
  }
}

/** What {@link loadLegacyDataset} made. */
export interface LegacyDatasetIds {
  datasetId: number;
  labelsetId: number;
  labelsetVersion: number;
}

/**
 * Inserts legacy JSONL records as an AI dataset: frame id = `old_id`, frame_dir = `imagesDir`,
 * relative_path = filename, one annotation per labelset label (true if listed, else false).
 */
export async function loadLegacyDataset(client: pg.Client, records: readonly LegacyRecord[], labels: readonly string[], imagesDir: string): Promise<LegacyDatasetIds> {
  const labelIds = new Map<string, number>();
  for (const name of labels) {
    const r = await client.query<{ id: string }>("INSERT INTO endoreg_db_label (name) VALUES ($1) RETURNING id", [name]);
    labelIds.set(name, Number(r.rows[0]?.id));
  }
  // A label outside the labelset, annotated too: it must not change the matrix.
  const extra = Number((await client.query<{ id: string }>("INSERT INTO endoreg_db_label (name) VALUES ('tattoo') RETURNING id")).rows[0]?.id);
  const ls = await client.query<{ id: string }>("INSERT INTO endoreg_db_labelset (name, version) VALUES ('lx_ai_jsonl', 2) RETURNING id");
  const labelsetId = Number(ls.rows[0]?.id);
  for (const id of labelIds.values()) await client.query("INSERT INTO endoreg_db_labelset_labels (labelset_id, label_id) VALUES ($1, $2)", [labelsetId, id]);
  const state = await client.query<{ id: string }>("INSERT INTO endoreg_db_videostate (anonymized) VALUES (true) RETURNING id");
  const video = await client.query<{ id: string }>(
    "INSERT INTO endoreg_db_videofile (uuid, frame_dir, state_id) VALUES ('0b1f0c1e-0000-4000-8000-0000000000aa', $1, $2) RETURNING id",
    [imagesDir, state.rows[0]?.id],
  );
  const videoId = Number(video.rows[0]?.id);
  const src = await client.query<{ id: string }>("INSERT INTO endoreg_db_informationsource (name) VALUES ('manual_annotation') RETURNING id");
  const ds = await client.query<{ id: string }>("INSERT INTO endoreg_db_aidataset (name) VALUES ('legacy fixture') RETURNING id");
  const datasetId = Number(ds.rows[0]?.id);
  for (const [n, r] of records.entries()) {
    await client.query("INSERT INTO endoreg_db_frame (id, video_id, frame_number, relative_path, old_examination_id) VALUES ($1, $2, $3, $4, $5)", [r.old_id, videoId, n, r.filename, r.old_examination_id]);
    const rows: Array<[number, boolean]> = r.labels === null ? [] : [...labels.map((l): [number, boolean] => [labelIds.get(l) ?? 0, (r.labels ?? []).includes(l)]), [extra, n % 2 === 0]];
    for (const [labelId, value] of rows) {
      await client.query(
        `WITH a AS (INSERT INTO endoreg_db_imageclassificationannotation (frame_id, label_id, value, information_source_id) VALUES ($1, $2, $3, $4) RETURNING id)
         INSERT INTO endoreg_db_aidataset_image_annotations (aidataset_id, imageclassificationannotation_id) SELECT $5, id FROM a`,
        [r.old_id, labelId, value, src.rows[0]?.id, datasetId],
      );
    }
  }
  return { datasetId, labelsetId, labelsetVersion: 2 };
}

/** Opens an admin client to the test database. */
export async function adminClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
