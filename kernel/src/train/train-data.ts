/**
 * Training data behind one interface: a labelset (names + order) selects and orders labels;
 * each source yields samples (image path, group, label vector, mask). lx-ai's rules apply:
 * `labels: null` is unknown (masked) unless `treatUnlabeledAsNegative`; images with no
 * positive inside the labelset are dropped and counted.
 */
import { dirname, join, resolve } from "node:path";
import { readLegacyJsonl, legacyGroupOf, LX_AI_JSONL_LABELS } from "../formats/legacy-jsonl.js";
import { readFrameTable } from "../formats/frame-table.js";
import { readCoco } from "../formats/coco.js";
import { TrainsetError } from "../util/errors.js";
import { resolveDbConfig } from "../db/connection-config.js";
import { withDb } from "../db/db-session.js";
import { readPostgresTrainData, type PostgresTrainData } from "../db/postgres-train-data.js";

/** Names and order of the labels a model predicts. */
export interface Labelset {
  name: string;
  version: number;
  labels: string[];
}

/** Where training samples come from. */
export type TrainSourceSpec =
  | { kind: "legacy-jsonl"; path: string; images?: string }
  | { kind: "frame-table"; path: string; frames?: string }
  | { kind: "coco"; path: string; images?: string }
  /** An endoreg-db AI dataset; `path` is the database URL without password (see db/connection-config). */
  | { kind: "postgres"; path: string; datasetId: number; labelsetId: number; labelsetVersion: number; mediaRoot?: string; treatUnlabeledAsNegative?: boolean };

/** One image with its label vector over the full (source) label list. */
export interface RawSample {
  image: string;
  group: string;
  /** Positive label names; null = not annotated. */
  positives: string[] | null;
  /** Label names known negative (frame tables); others unknown. */
  negatives?: string[];
}

/** Samples ready for training: labels in labelset order. */
export interface TrainData {
  labels: string[];
  /** Index of each used label in the labelset (lx-ai's `used_label_indices_original`). */
  labelIndices: number[];
  images: string[];
  groups: string[];
  targets: Float32Array;
  masks: Float32Array;
  /** Images dropped because no label of the labelset was positive. */
  droppedZeroPositive: number;
  /** Images whose labels were null (masked or, if asked, negative). */
  unlabeled: number;
}

/** lx-ai's JSONL labelset. */
export const LX_AI_JSONL_LABELSET: Labelset = {
  name: "lx_ai_jsonl",
  version: 1,
  labels: [...LX_AI_JSONL_LABELS],
};

/**
 * Reads samples of a source (strict: a broken record throws with file and line).
 * @example const raw = await readTrainSamples({ kind: "legacy-jsonl", path: "legacy_img_dicts.jsonl" });
 */
export async function readTrainSamples(spec: TrainSourceSpec): Promise<RawSample[]> {
  if (spec.kind === "postgres") {
    const data = await readPostgresSource(spec);
    const L = data.labels.length;
    return data.images.map((image, i) => {
      const positives = data.labels.filter((_, j) => (data.targets[i * L + j] ?? 0) > 0);
      const negatives = data.labels.filter((_, j) => (data.targets[i * L + j] ?? 0) === 0 && (data.masks[i * L + j] ?? 0) > 0);
      return { image, group: data.groups[i] ?? "", positives, negatives };
    });
  }
  if (spec.kind === "legacy-jsonl") {
    const { records } = await readLegacyJsonl(spec.path, { mode: "strict" });
    const root = resolve(spec.images ?? join(dirname(spec.path), "images"));
    return records.map(({ record }) => ({
      image: join(root, record.filename),
      group: legacyGroupOf(record),
      positives: record.labels === null ? null : [...record.labels],
    }));
  }
  if (spec.kind === "frame-table") {
    const { rows } = await readFrameTable(spec.path, { mode: "strict" });
    const root = resolve(spec.frames ?? join(dirname(spec.path), "frames"));
    const byFrame = new Map<number, RawSample & { negatives: string[] }>();
    for (const row of rows) {
      let s = byFrame.get(row.frame_id);
      if (s === undefined) {
        s = { image: join(root, row.frame_relative_path), group: `video_${row.video_id}`, positives: [], negatives: [] };
        byFrame.set(row.frame_id, s);
      }
      (row.value ? (s.positives as string[]) : s.negatives).push(row.label_name);
    }
    return [...byFrame.values()];
  }
  const coco = await readCoco(spec.path, { mode: "strict" });
  const root = resolve(spec.images ?? dirname(spec.path));
  const names = new Map(coco.categories.map((c) => [c.id, c.name]));
  const present = new Map<string, Set<string>>();
  for (const a of coco.annotations) {
    const key = String(a.image_id);
    const set = present.get(key) ?? new Set<string>();
    set.add(names.get(a.category_id) ?? String(a.category_id));
    present.set(key, set);
  }
  return coco.images.map((img) => {
    const group = (img as unknown as Record<string, unknown>)["group"];
    return {
      image: join(root, img.file_name),
      group: typeof group === "string" || typeof group === "number" ? String(group) : `image_${String(img.id)}`,
      // COCO lists every annotation: a category absent from an image is a known negative.
      positives: [...(present.get(String(img.id)) ?? [])],
    };
  });
}

/**
 * Reads an endoreg-db AI dataset (read-only) into label vectors in the labelset's order.
 * @example const data = await readPostgresSource({ kind: "postgres", path: "postgres://lx@db/endoreg", datasetId: 1, labelsetId: 2, labelsetVersion: 2 });
 */
export async function readPostgresSource(spec: Extract<TrainSourceSpec, { kind: "postgres" }>): Promise<PostgresTrainData> {
  return withDb(resolveDbConfig({ configUrl: spec.path }), (session) =>
    readPostgresTrainData(session, {
      datasetId: spec.datasetId,
      labelsetId: spec.labelsetId,
      labelsetVersion: spec.labelsetVersion,
      ...(spec.mediaRoot === undefined ? {} : { mediaRoot: spec.mediaRoot }),
      ...(spec.treatUnlabeledAsNegative === undefined ? {} : { treatUnlabeledAsNegative: spec.treatUnlabeledAsNegative }),
    }),
  );
}

/** Options for {@link buildTrainData}. */
export interface BuildTrainDataOptions {
  /** lx-ai: null labels become all-negative instead of masked (default false). */
  treatUnlabeledAsNegative?: boolean;
  /** Frame tables: a label without a row is negative (default false: unknown). */
  missingIsNegative?: boolean;
}

/**
 * Turns raw samples into label vectors and masks in labelset order, dropping zero-positive images.
 * @example buildTrainData(raw, LX_AI_JSONL_LABELSET).targets
 */
export function buildTrainData(
  raw: readonly RawSample[],
  labelset: Labelset,
  options: BuildTrainDataOptions = {},
): TrainData {
  const labels = labelset.labels;
  if (labels.length === 0 || new Set(labels).size !== labels.length)
    throw new TrainsetError("VALIDATION_ERROR", `Cannot use labelset "${labelset.name}": it needs unique, non-empty label names`);
  const L = labels.length;
  const index = new Map(labels.map((l, j) => [l, j]));
  const images: string[] = [];
  const groups: string[] = [];
  const t: number[] = [];
  const mk: number[] = [];
  let dropped = 0;
  let unlabeled = 0;
  for (const s of raw) {
    const row = new Array<number>(L).fill(0);
    const mask = new Array<number>(L).fill(1);
    if (s.positives === null) {
      unlabeled++;
      if (options.treatUnlabeledAsNegative !== true) {
        // Unknown on every label: kept, masked out of the loss and metrics (lx-ai).
        images.push(s.image); groups.push(s.group); t.push(...row); mk.push(...new Array<number>(L).fill(0));
        continue;
      }
    } else {
      for (const name of s.positives) {
        const j = index.get(name);
        if (j !== undefined) row[j] = 1;
      }
      if (s.negatives !== undefined && options.missingIsNegative !== true) {
        const known = new Set([...s.positives, ...s.negatives]);
        labels.forEach((l, j) => (mask[j] = known.has(l) ? 1 : 0));
      }
    }
    // Treated-as-negative null rows are kept: dropping them would make the option a no-op.
    if (s.positives !== null && !row.some((v) => v > 0)) {
      dropped++;
      continue;
    }
    images.push(s.image); groups.push(s.group); t.push(...row); mk.push(...mask);
  }
  return {
    labels: [...labels],
    labelIndices: labels.map((_, j) => j),
    images,
    groups,
    targets: Float32Array.from(t),
    masks: Float32Array.from(mk),
    droppedZeroPositive: dropped,
    unlabeled,
  };
}
