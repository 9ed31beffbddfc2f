/**
 * Turns matched groups into the three record kinds an extraction writes: decisions (seed 003
 * Format 2), preference pairs for reward-model / DPO trainers, and the master image table
 * (seed 003 Phase 2, `project_images.jsonl`).
 */
import type { PairsMetadata, PairsRecord, PixelSize } from "../formats/pairs.js";
import { detectCrop } from "./crop.js";
import type { RawGroup } from "./group.js";
import type { ImageProbe } from "../util/image-size.js";
import type { WinnerMatch } from "./match.js";
import type { ScannedImage } from "./scan.js";

/**
 * One preference pair in the shape TRL's RewardTrainer and DPOTrainer read (`prompt`, `chosen`,
 * `rejected` columns; https://huggingface.co/docs/trl/dataset_formats#preference). Here the
 * candidates are images: `chosen`/`rejected` are image paths (relative to `image_root` unless the
 * extraction was absolute) that the trainer's collator loads, and `prompt` names the generation
 * group both images came from. One pair per winner × loser of a group.
 */
export interface PreferencePair {
  /** `<project>/<group folder>/<timestamp>`: the context both images share. */
  prompt: string;
  chosen: string;
  rejected: string;
  project: string;
  timestamp: string;
  group_dir: string;
  chosen_stage: number;
  rejected_stage: number;
  was_cropped: boolean;
  anomaly: boolean;
  /** The RAW folder the paths are relative to. */
  image_root: string;
}

/** One RAW image in the master table (seed 003 Phase 2 schema plus suffix, group and crop signals). */
export interface ProjectImageRecord {
  project: string;
  image_path: string;
  filename: string;
  timestamp: string;
  stage: number;
  suffix: string | null;
  group_dir: string;
  /** `YYYY-MM-DDTHH:MM:SSZ`, null when unreadable. */
  file_mtime: string | null;
  file_size: number | null;
  in_final: boolean;
  final_path: string | null;
  final_mtime: string | null;
  was_cropped: boolean | null;
  crop_by_mtime: boolean | null;
  crop_by_size: boolean | null;
}

/** Where a project's paths point and how to write them. */
export interface RecordContext {
  project: string;
  /** RAW and FINAL folders on disk (absolute). */
  rawRoot: string;
  finalRoot: string;
  metadata: PairsMetadata;
  absolute: boolean;
  cropSeconds: number;
}

const joinPath = (root: string, rel: string): string => (root.endsWith("/") ? root + rel : `${root}/${rel}`);

/** The path written for a RAW image. */
export function rawPathOf(ctx: RecordContext, image: ScannedImage): string {
  return ctx.absolute ? joinPath(ctx.rawRoot, image.rel) : image.rel;
}

/** The path written for a FINAL image. */
export function finalPathOf(ctx: RecordContext, image: ScannedImage): string {
  return ctx.absolute ? joinPath(ctx.finalRoot, image.rel) : image.rel;
}

const sizeOf = (probe: ImageProbe | undefined): PixelSize | null => (probe?.size == null ? null : [probe.size.width, probe.size.height]);
const NO_PROBE: ImageProbe = { mtimeMs: null, bytes: null, size: null, error: null };

/**
 * The records of one group of two or more images: one per winner, or one negative record when
 * nothing was kept.
 */
export function groupRecords(
  group: RawGroup,
  winners: readonly WinnerMatch[] | undefined,
  probes: ReadonlyMap<ScannedImage, ImageProbe>,
  ctx: RecordContext,
): PairsRecord[] {
  // Plain literals only: `{ ...base, … }` with this many fields is ~50x slower in V8.
  if (winners === undefined || winners.length === 0) {
    return [
      {
        project: ctx.project,
        timestamp: group.timestamp,
        chosen_path: null,
        chosen_stage: null,
        neg_paths: group.members.map((m) => rawPathOf(ctx, m)),
        neg_stages: group.members.map((m) => m.stage),
        was_cropped: false,
        group_dir: group.dir,
        final_path: null,
        crop_by_mtime: null,
        crop_by_size: null,
        chosen_size: null,
        final_size: null,
        anomaly: false,
        multi_select: false,
        co_chosen_paths: [],
        rejected: true,
        metadata: ctx.metadata,
      },
    ];
  }
  // Loops instead of Set/filter/map chains: this runs once per group, tens of thousands of times.
  const negPaths: string[] = [];
  const negStages: number[] = [];
  for (const member of group.members) {
    let kept = false;
    for (const w of winners) if (w.raw === member) kept = true;
    if (!kept) {
      negPaths.push(rawPathOf(ctx, member));
      negStages.push(member.stage);
    }
  }
  return winners.map((w) => {
    const rawProbe = probes.get(w.raw) ?? NO_PROBE;
    const finalProbe = probes.get(w.final) ?? NO_PROBE;
    const crop = detectCrop(rawProbe, finalProbe, ctx.cropSeconds);
    return {
      project: ctx.project,
      timestamp: group.timestamp,
      chosen_path: rawPathOf(ctx, w.raw),
      chosen_stage: w.raw.stage,
      neg_paths: negPaths,
      neg_stages: negStages,
      was_cropped: crop.was_cropped,
      group_dir: group.dir,
      final_path: finalPathOf(ctx, w.final),
      crop_by_mtime: crop.crop_by_mtime,
      crop_by_size: crop.crop_by_size,
      chosen_size: sizeOf(rawProbe),
      final_size: sizeOf(finalProbe),
      anomaly: w.raw.stage < group.maxStage,
      multi_select: winners.length > 1,
      co_chosen_paths: winners.length === 1 ? [] : winners.filter((o) => o !== w).map((o) => rawPathOf(ctx, o.raw)),
      rejected: false,
      metadata: ctx.metadata,
    };
  });
}

/**
 * The preference pairs of one decision record (none for a rejected group).
 * @example pairsOfRecord(record).map((p) => [p.chosen, p.rejected])
 */
export function pairsOfRecord(record: PairsRecord): PreferencePair[] {
  if (record.chosen_path === null || record.chosen_stage === null) return [];
  const groupDir = record.group_dir ?? "";
  const prompt = `${record.project}/${groupDir === "" ? "" : `${groupDir}/`}${record.timestamp}`;
  return record.neg_paths.map((rejected, i) => ({
    prompt,
    chosen: record.chosen_path as string,
    rejected,
    project: record.project,
    timestamp: record.timestamp,
    group_dir: groupDir,
    chosen_stage: record.chosen_stage as number,
    rejected_stage: record.neg_stages[i] ?? Number.NaN,
    was_cropped: record.was_cropped,
    anomaly: record.anomaly ?? false,
    image_root: record.metadata?.raw_dir ?? "",
  }));
}

/** `YYYY-MM-DDTHH:MM:SSZ` (seconds, UTC), the seed's timestamp shape. */
export function isoSeconds(ms: number | null): string | null {
  return ms === null ? null : new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** The master-table rows of one group. */
export function groupImageRows(
  group: RawGroup,
  winners: readonly WinnerMatch[] | undefined,
  probes: ReadonlyMap<ScannedImage, ImageProbe>,
  ctx: RecordContext,
): ProjectImageRecord[] {
  const finalOf = new Map<ScannedImage, ScannedImage>();
  for (const w of winners ?? []) finalOf.set(w.raw, w.final);
  return group.members.map((m) => {
    const probe = probes.get(m) ?? NO_PROBE;
    const final = finalOf.get(m);
    const finalProbe = final === undefined ? undefined : (probes.get(final) ?? NO_PROBE);
    const crop = finalProbe === undefined ? undefined : detectCrop(probe, finalProbe, ctx.cropSeconds);
    return {
      project: ctx.project,
      image_path: rawPathOf(ctx, m),
      filename: m.name,
      timestamp: m.timestamp,
      stage: m.stage,
      suffix: m.suffix,
      group_dir: group.dir,
      file_mtime: isoSeconds(probe.mtimeMs),
      file_size: probe.bytes,
      in_final: final !== undefined,
      final_path: final === undefined ? null : finalPathOf(ctx, final),
      final_mtime: finalProbe === undefined ? null : isoSeconds(finalProbe.mtimeMs),
      was_cropped: crop === undefined ? null : crop.was_cropped,
      crop_by_mtime: crop === undefined ? null : crop.crop_by_mtime,
      crop_by_size: crop === undefined ? null : crop.crop_by_size,
    };
  });
}
