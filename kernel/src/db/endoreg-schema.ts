/**
 * The endoreg-db tables and columns trainset reads (Django app `endoreg_db`), and a check that names
 * the first missing table or column before any data query runs.
 */
import { TrainsetError } from "../util/errors.js";
import type { DbTx } from "./db-session.js";

/** Table -> columns a reader needs. */
export type SchemaNeeds = Readonly<Record<string, readonly string[]>>;

/** What training from an AI dataset reads (lx-ai's loader query plus the labelset). */
export const TRAIN_SCHEMA: SchemaNeeds = {
  endoreg_db_aidataset: ["id", "name"],
  endoreg_db_aidataset_image_annotations: ["aidataset_id", "imageclassificationannotation_id"],
  endoreg_db_imageclassificationannotation: ["id", "frame_id", "label_id", "value"],
  endoreg_db_frame: ["id", "video_id", "relative_path"],
  endoreg_db_videofile: ["id", "frame_dir", "examination_id"],
  endoreg_db_label: ["id", "name"],
  endoreg_db_labelset: ["id", "name", "version"],
  endoreg_db_labelset_labels: ["labelset_id", "label_id"],
};

/** What exports and `ensure-segment-annotations` read. */
export const EXPORT_SCHEMA: SchemaNeeds = {
  endoreg_db_videofile: ["id", "uuid", "video_hash", "processed_file", "frame_dir", "fps", "frame_count", "width", "height", "examination_id", "state_id", "export_segments_by_video"],
  endoreg_db_videostate: ["id", "anonymized", "anonymization_validated", "processing_error", "ready_for_export", "processed_file_sha256"],
  endoreg_db_label: ["id", "name"],
  endoreg_db_informationsource: ["id", "name"],
  endoreg_db_labelvideosegment: ["id", "video_file_id", "label_id", "start_frame_number", "end_frame_number", "source_id", "prediction_meta_id", "export_segment"],
  endoreg_db_labelvideosegmentstate: ["origin_id", "is_validated"],
  endoreg_db_frame: ["id", "video_id", "frame_number", "relative_path"],
  endoreg_db_imageclassificationannotation: ["id", "frame_id", "label_id", "value", "float_value", "annotator", "information_source_id", "model_meta_id", "date_created", "date_modified"],
};

/** The columns present in the current schema search path, table -> set of columns. */
export async function readColumns(tx: DbTx, tables: readonly string[]): Promise<Map<string, Set<string>>> {
  const rows = await tx.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ANY (current_schemas(false)) AND table_name = ANY ($1::text[])",
    [tables],
  );
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = out.get(r.table_name) ?? new Set<string>();
    set.add(r.column_name);
    out.set(r.table_name, set);
  }
  return out;
}

/**
 * Throws naming the first missing table or column; returns the columns found (for optional ones).
 * @example const cols = await checkSchema(tx, TRAIN_SCHEMA, "train from AI dataset 1");
 */
export async function checkSchema(tx: DbTx, needs: SchemaNeeds, action: string): Promise<Map<string, Set<string>>> {
  const columns = await readColumns(tx, Object.keys(needs));
  for (const [table, wanted] of Object.entries(needs)) {
    const have = columns.get(table);
    if (have === undefined) throw new TrainsetError("VALIDATION_ERROR", `Cannot ${action}: table ${table} is missing (is this an endoreg-db database?)`, { field: table });
    for (const column of wanted) {
      if (!have.has(column)) throw new TrainsetError("VALIDATION_ERROR", `Cannot ${action}: column ${table}.${column} is missing`, { field: `${table}.${column}` });
    }
  }
  return columns;
}
