/**
 * Training data from an endoreg-db AI dataset, read in place: lx-ai's loader query (dataset ->
 * image annotations -> frame -> video -> label) grouped per frame on the server and streamed through
 * a server-side cursor into the label matrix, so memory holds the matrix, never the annotation rows.
 * Labels in labelset order (labelset by id and version, labels ordered by id, as lx-ai); a label
 * without an annotation on a frame is unknown (masked) unless `treatUnlabeledAsNegative`.
 */
import { access } from "node:fs/promises";
import { join, resolve } from "node:path";
import { TrainsetError } from "../util/errors.js";
import { throwIfAborted, type RunControl } from "../util/run-control.js";
import type { Labelset, TrainData } from "../train/train-data.js";
import type { DbSession, DbTx } from "./db-session.js";
import { checkSchema, TRAIN_SCHEMA } from "./endoreg-schema.js";

/** Options of {@link readPostgresTrainData}. */
export interface PostgresTrainDataOptions extends RunControl {
  /** `endoreg_db_aidataset.id`. */
  datasetId: number;
  /** `endoreg_db_labelset.id` and its `version` (both must match). */
  labelsetId: number;
  labelsetVersion: number;
  /** lx-ai: labels without an annotation become negatives instead of masked (default false). */
  treatUnlabeledAsNegative?: boolean;
  /** Relative `frame_dir`s are resolved against this folder (default the working directory). */
  mediaRoot?: string;
  /** Check that every image file exists, dropping and counting missing ones (default true). */
  checkFiles?: boolean;
  /** Frames per cursor fetch (default 5000). */
  batchSize?: number;
}

/** The data plus what was read. */
export interface PostgresTrainData extends TrainData {
  dataset: { id: number; name: string };
  labelset: Labelset & { id: number; labelIds: number[] };
  /** Annotation rows of the dataset (inside and outside the labelset). */
  annotationRows: number;
  /** Frames read from the dataset before dropping. */
  framesRead: number;
  /** Images whose file does not exist (dropped), and the first few of them. */
  missingFiles: number;
  missingExamples: string[];
}

/** A byte matrix that grows by doubling (N is unknown while streaming). */
class GrowingRows {
  data: Uint8Array;
  rows = 0;
  constructor(private readonly width: number) {
    this.data = new Uint8Array(Math.max(1, width) * 1024);
  }
  push(row: Uint8Array): void {
    const need = (this.rows + 1) * this.width;
    if (need > this.data.length) {
      const next = new Uint8Array(Math.max(need, this.data.length * 2));
      next.set(this.data);
      this.data = next;
    }
    this.data.set(row, this.rows * this.width);
    this.rows++;
  }
}

async function readLabelset(tx: DbTx, id: number, version: number): Promise<PostgresTrainData["labelset"]> {
  const sets = await tx.query<{ id: number; name: string; version: number | null }>("SELECT id::float8 AS id, name, version::float8 AS version FROM endoreg_db_labelset WHERE id = $1", [id]);
  const set = sets[0];
  if (set === undefined) throw new TrainsetError("NOT_FOUND", `Cannot read labelset ${id}: no row with id ${id} in endoreg_db_labelset`, { field: "labelset_id" });
  if (set.version !== version) throw new TrainsetError("NOT_FOUND", `Cannot read labelset ${id} version ${version}: labelset ${id} ("${set.name}") has version ${String(set.version)}`, { field: "labelset_version" });
  const labels = await tx.query<{ id: number; name: string }>(
    "SELECT l.id::float8 AS id, l.name FROM endoreg_db_labelset_labels lsl JOIN endoreg_db_label l ON l.id = lsl.label_id WHERE lsl.labelset_id = $1 ORDER BY l.id",
    [id],
  );
  if (labels.length === 0) throw new TrainsetError("NOT_FOUND", `Cannot read labelset ${id} version ${version} ("${set.name}"): it has no labels`, { field: "labelset_id" });
  return { id, name: set.name, version, labels: labels.map((l) => l.name), labelIds: labels.map((l) => l.id) };
}

/**
 * The group of a frame. With lx-ai's `old_examination_id` column: that value, or `no_exam_<frame id>`
 * (lx-ai's key); without the column: the video's examination, else the video.
 */
function groupSql(hasOldExam: boolean): string {
  if (hasOldExam) return "COALESCE(f.old_examination_id::text, 'no_exam_' || f.id::text)";
  return "COALESCE('examination_' || vf.examination_id::text, 'video_' || vf.id::text)";
}

async function dropMissing(images: string[], keep: Uint8Array): Promise<{ count: number; examples: string[] }> {
  const examples: string[] = [];
  let count = 0;
  const width = 64;
  for (let i = 0; i < images.length; i += width) {
    const chunk = images.slice(i, i + width);
    const ok = await Promise.all(chunk.map((p) => access(p).then(() => true, () => false)));
    ok.forEach((exists, k) => {
      if (exists) return;
      keep[i + k] = 0;
      count++;
      if (examples.length < 5) examples.push(chunk[k] ?? "");
    });
  }
  return { count, examples };
}

/**
 * Reads an AI dataset's frames, label vectors, masks and groups in one read-only transaction.
 * @example const data = await readPostgresTrainData(session, { datasetId: 1, labelsetId: 2, labelsetVersion: 2 });
 */
export async function readPostgresTrainData(session: DbSession, options: PostgresTrainDataOptions): Promise<PostgresTrainData> {
  const action = `read AI dataset ${options.datasetId}`;
  const mediaRoot = resolve(options.mediaRoot ?? ".");
  const read = await session.readOnly(action, async (tx) => {
    const columns = await checkSchema(tx, TRAIN_SCHEMA, action);
    const datasets = await tx.query<{ id: number; name: string }>("SELECT id::float8 AS id, name FROM endoreg_db_aidataset WHERE id = $1", [options.datasetId]);
    const dataset = datasets[0];
    if (dataset === undefined) throw new TrainsetError("NOT_FOUND", `Cannot ${action}: no row with id ${options.datasetId} in endoreg_db_aidataset`, { field: "dataset_id" });
    const labelset = await readLabelset(tx, options.labelsetId, options.labelsetVersion);
    const L = labelset.labelIds.length;
    const hasOldExam = columns.get("endoreg_db_frame")?.has("old_examination_id") === true;
    // One row per frame, aggregated on the server before the joins (a narrow hash aggregate on
    // frame_id): positives and known negatives as bitmasks over labelset positions (as text lists
    // past 53 labels, where a double no longer holds every bit).
    const bits = L <= 53;
    const pos = "(array_position($2::bigint[], a.label_id) - 1)";
    const agg = (when: string): string =>
      bits ? `bit_or(1::bigint << ${pos}) FILTER (WHERE ${when} AND a.label_id = ANY ($2::bigint[]))` : `string_agg(${pos}::text, ',') FILTER (WHERE ${when} AND a.label_id = ANY ($2::bigint[]))`;
    const sql = `SELECT f.id, vf.frame_dir, f.relative_path, ${groupSql(hasOldExam)} AS grp, agg.n, agg.pos, agg.neg
      FROM (SELECT a.frame_id, count(*) AS n, ${agg("a.value")} AS pos, ${agg("NOT a.value")} AS neg
            FROM endoreg_db_aidataset_image_annotations dai
            JOIN endoreg_db_imageclassificationannotation a ON a.id = dai.imageclassificationannotation_id
            WHERE dai.aidataset_id = $1
            GROUP BY a.frame_id) agg
      JOIN endoreg_db_frame f ON f.id = agg.frame_id
      JOIN endoreg_db_videofile vf ON vf.id = f.video_id
      ORDER BY f.id`;
    const targets = new GrowingRows(L);
    const masks = new GrowingRows(L);
    const images: string[] = [];
    const groups: string[] = [];
    const row = new Uint8Array(L);
    const mask = new Uint8Array(L);
    const allKnown = options.treatUnlabeledAsNegative === true;
    const dirs = new Map<string, string>();
    let annotationRows = 0;
    let dropped = 0;
    const mark = (list: unknown, into: Uint8Array): void => {
      if (typeof list !== "string") return;
      if (!bits) {
        for (const part of list.split(",")) into[Number(part)] = 1;
        return;
      }
      let mask = Number(list);
      for (let j = 0; mask > 0; j++, mask = Math.floor(mask / 2)) if (mask % 2 === 1) into[j] = 1;
    };
    let seen = 0;
    const framesRead = await tx.stream(sql, [options.datasetId, labelset.labelIds], (batch) => {
      throwIfAborted(options.signal, action);
      seen += batch.length;
      options.onProgress?.({ phase: "read frames", done: seen, unit: "frames" });
      for (const r of batch) {
        annotationRows += Number(r[4]);
        row.fill(0);
        mark(r[5], row);
        if (!row.includes(1)) {
          dropped++;
          continue;
        }
        if (allKnown) mask.fill(1);
        else {
          mask.fill(0);
          mark(r[5], mask);
          mark(r[6], mask);
        }
        const frameDir = typeof r[1] === "string" ? r[1] : "";
        let dir = dirs.get(frameDir);
        if (dir === undefined) {
          dir = resolve(mediaRoot, frameDir);
          dirs.set(frameDir, dir);
        }
        images.push(join(dir, String(r[2])));
        groups.push(String(r[3]));
        targets.push(row);
        masks.push(mask);
      }
    }, { batchSize: options.batchSize ?? 5000 });
    return { dataset, labelset, images, groups, targets, masks, annotationRows, framesRead, dropped };
  });
  const L = read.labelset.labels.length;
  const N = read.images.length;
  const keep = new Uint8Array(N).fill(1);
  const missing = options.checkFiles === false ? { count: 0, examples: [] } : await dropMissing(read.images, keep);
  const kept = N - missing.count;
  const targets = new Float32Array(kept * L);
  const masks = new Float32Array(kept * L);
  const images: string[] = [];
  const groups: string[] = [];
  for (let i = 0, k = 0; i < N; i++) {
    if (keep[i] === 0) continue;
    for (let j = 0; j < L; j++) {
      targets[k * L + j] = read.targets.data[i * L + j] ?? 0;
      masks[k * L + j] = read.masks.data[i * L + j] ?? 0;
    }
    images.push(read.images[i] ?? "");
    groups.push(read.groups[i] ?? "");
    k++;
  }
  return {
    labels: [...read.labelset.labels],
    labelIndices: read.labelset.labels.map((_, j) => j),
    images,
    groups,
    targets,
    masks,
    droppedZeroPositive: read.dropped,
    unlabeled: 0,
    dataset: read.dataset,
    labelset: read.labelset,
    annotationRows: read.annotationRows,
    framesRead: read.framesRead,
    missingFiles: missing.count,
    missingExamples: missing.examples,
  };
}
