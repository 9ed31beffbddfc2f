/**
 * Matches FINAL files to RAW groups in one pass: each FINAL file looks its timestamp up in the
 * group index (a hash map), so the cost is linear in the number of files. The seed's find_winners
 * compared every group with every FINAL file (quadratic) and kept only the first hit.
 */
import type { RawGroup, GroupIndex } from "./group.js";
import type { ScannedImage } from "./scan.js";

/** How the RAW twin of a FINAL file was recognised, best first. */
export type TwinMatch = "name" | "stage-suffix" | "stage";

/** A selected image: the FINAL file and its RAW twin in a group. */
export interface WinnerMatch {
  group: RawGroup;
  raw: ScannedImage;
  final: ScannedImage;
  match: TwinMatch;
}

/** Why a FINAL file produced no winner. */
export type OrphanReason = "no-raw-group" | "no-raw-twin" | "duplicate-final";

/** A FINAL file that matched no RAW image. */
export interface OrphanFinal {
  /** Path relative to the FINAL folder. */
  path: string;
  reason: OrphanReason;
  detail: string;
}

/** A FINAL file whose timestamp exists in several RAW folders that fit its path equally well. */
export interface AmbiguousMatch {
  /** Path relative to the FINAL folder. */
  final_path: string;
  /** RAW folders of the equally good groups, sorted ("" is the RAW root). */
  candidates: string[];
  /** The folder used (the first candidate). */
  chosen: string;
}

/** Everything matching found. */
export interface MatchResult {
  /** Winners per group, each list sorted by FINAL path. */
  winners: Map<RawGroup, WinnerMatch[]>;
  orphans: OrphanFinal[];
  ambiguous: AmbiguousMatch[];
  /** Groups a FINAL file points at without a matching stage: neither winners nor rejections. */
  unresolved: Set<RawGroup>;
}

const LEVEL: Record<TwinMatch, number> = { name: 3, "stage-suffix": 2, stage: 1 };

function sameSuffix(a: string | null, b: string | null): boolean {
  return a === b || (a !== null && b !== null && a.toLowerCase() === b.toLowerCase());
}

/** The member of `group` that `final` is a copy of, if any: same name, else same stage and suffix, else same stage. */
export function findTwin(group: RawGroup, final: ScannedImage): { raw: ScannedImage; match: TwinMatch } | undefined {
  let best: { raw: ScannedImage; match: TwinMatch } | undefined;
  for (const member of group.members) {
    if (member.name === final.name) {
      // Two members share a name only in timestamp grouping (one per folder): take the fitting folder.
      if (best?.match !== "name" || pathFit(member.dir, final.dir) > pathFit(best.raw.dir, final.dir)) best = { raw: member, match: "name" };
      continue;
    }
    if (best?.match === "name" || member.stage !== final.stage) continue;
    const match: TwinMatch = sameSuffix(member.suffix, final.suffix) ? "stage-suffix" : "stage";
    if (best === undefined || LEVEL[match] > LEVEL[best.match]) best = { raw: member, match };
  }
  return best;
}

/**
 * How well a RAW group's folder fits a FINAL file's folder: trailing folder names in common count
 * most (`raw/batch_b` fits `final/batch_b`), then folder names shared anywhere.
 */
export function pathFit(rawDir: string, finalDir: string): number {
  if (rawDir === "") return 0;
  const raw = rawDir.toLowerCase().split("/");
  const final = finalDir === "" ? [] : finalDir.toLowerCase().split("/");
  let trailing = 0;
  while (trailing < raw.length && trailing < final.length && raw[raw.length - 1 - trailing] === final[final.length - 1 - trailing]) {
    trailing++;
  }
  const finalSet = new Set(final);
  let shared = 0;
  for (const part of raw) if (finalSet.has(part)) shared++;
  return trailing * 1024 + shared;
}

/**
 * Assigns every FINAL image to at most one RAW image, in time linear in the number of files.
 * @example
 * const { winners, orphans } = matchFinalImages(finalScan.images, groupRawImages(rawScan.images));
 */
export function matchFinalImages(finals: readonly ScannedImage[], index: GroupIndex): MatchResult {
  const result: MatchResult = { winners: new Map(), orphans: [], ambiguous: [], unresolved: new Set() };
  // Scan order, no global sort: every decision below depends on the file alone, except which of
  // two copies of one RAW image wins, and that is settled by path (the smaller wins).
  const claimed = new Map<ScannedImage, WinnerMatch>();
  const duplicates: Array<{ final: ScannedImage; raw: ScannedImage }> = [];
  for (const final of finals) {
    const candidates = index.byTimestamp.get(final.timestamp);
    if (candidates === undefined) {
      result.orphans.push({ path: final.rel, reason: "no-raw-group", detail: `no RAW image has timestamp ${final.timestamp}` });
      continue;
    }
    const chosen = chooseGroup(final, candidates, result);
    if (chosen === undefined) continue;
    const { group, raw, match } = chosen;
    const earlier = claimed.get(raw);
    if (earlier !== undefined) {
      if (final.rel < earlier.final.rel) {
        duplicates.push({ final: earlier.final, raw });
        earlier.final = final;
        earlier.match = match;
      } else duplicates.push({ final, raw });
      continue;
    }
    const winner: WinnerMatch = { group, raw, final, match };
    claimed.set(raw, winner);
    const list = result.winners.get(group);
    if (list === undefined) result.winners.set(group, [winner]);
    else list.push(winner);
  }
  for (const { final, raw } of duplicates) {
    const kept = claimed.get(raw)?.final.rel ?? "";
    result.orphans.push({ path: final.rel, reason: "duplicate-final", detail: `RAW "${raw.rel}" is already the twin of FINAL "${kept}"` });
  }
  for (const list of result.winners.values()) if (list.length > 1) list.sort((a, b) => (a.final.rel < b.final.rel ? -1 : 1));
  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  result.orphans.sort(byPath);
  result.ambiguous.sort((a, b) => (a.final_path < b.final_path ? -1 : a.final_path > b.final_path ? 1 : 0));
  for (const group of result.winners.keys()) result.unresolved.delete(group);
  return result;
}

function chooseGroup(
  final: ScannedImage,
  candidates: readonly RawGroup[],
  result: MatchResult,
): { group: RawGroup; raw: ScannedImage; match: TwinMatch } | undefined {
  if (candidates.length === 1) {
    const group = candidates[0] as RawGroup;
    const twin = findTwin(group, final);
    if (twin === undefined) {
      result.unresolved.add(group);
      result.orphans.push({ path: final.rel, reason: "no-raw-twin", detail: noTwinDetail(final, group) });
      return undefined;
    }
    return { group, raw: twin.raw, match: twin.match };
  }
  // Several RAW folders share the timestamp: keep those holding the best twin, then the best path fit.
  let bestLevel = 0;
  let best: Array<{ group: RawGroup; raw: ScannedImage; match: TwinMatch }> = [];
  for (const group of candidates) {
    const twin = findTwin(group, final);
    const level = twin === undefined ? 0 : LEVEL[twin.match];
    if (twin === undefined || level < bestLevel) continue;
    if (level > bestLevel) {
      bestLevel = level;
      best = [];
    }
    best.push({ group, raw: twin.raw, match: twin.match });
  }
  const pool = best.length > 0 ? best : candidates.map((group) => ({ group }));
  let bestFit = -1;
  let fitting: typeof pool = [];
  for (const item of pool) {
    const fit = pathFit(item.group.dir, final.dir);
    if (fit > bestFit) {
      bestFit = fit;
      fitting = [item];
    } else if (fit === bestFit) fitting.push(item);
  }
  if (best.length === 0) {
    for (const item of fitting) result.unresolved.add(item.group);
    result.orphans.push({ path: final.rel, reason: "no-raw-twin", detail: noTwinDetail(final, fitting[0]?.group) });
    return undefined;
  }
  if (fitting.length > 1) {
    result.ambiguous.push({ final_path: final.rel, candidates: fitting.map((f) => f.group.dir), chosen: fitting[0]?.group.dir ?? "" });
  }
  return fitting[0] as { group: RawGroup; raw: ScannedImage; match: TwinMatch };
}

function noTwinDetail(final: ScannedImage, group: RawGroup | undefined): string {
  const where = group === undefined || group.dir === "" ? "" : ` in RAW folder "${group.dir}"`;
  const stages = group === undefined ? "" : ` (it has stages ${group.members.map((m) => m.stage).join(", ")})`;
  return `group ${final.timestamp}${where} has no stage ${final.stage}${stages}`;
}
