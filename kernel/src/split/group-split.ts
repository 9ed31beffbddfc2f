/**
 * `splitByGroup`: the format-independent splitter. Groups never straddle splits; in `stratified`
 * mode every label's rate is kept close to the whole by iterative stratification over groups
 * followed by a seeded local search, and shares are measured in samples, not groups
 * (scikit-learn#13369). `lx-ai` and `random-groups` reproduce simpler splitters for comparison.
 */
import { buildGroupTable, type GroupTable, type SplitRow } from "./group-table.js";
import { createPythonRandom, pythonRound } from "./python-random.js";
import {
  DEFAULT_SPLIT_RATIOS,
  foldRatios,
  parseSplitRatios,
  validateSplitRatios,
  type SplitRatio,
} from "./ratios.js";
import { refineSplit } from "./refine-split.js";
import { createSeededRng, type SeededRng } from "./seeded-rng.js";
import { buildSplitReport, type SplitMode, type SplitReport } from "./split-report.js";
import { stratifyGroups } from "./stratify-groups.js";
import type { RunControl } from "../util/run-control.js";

/** Options for {@link splitByGroup}. */
export interface SplitByGroupOptions extends RunControl {
  /** Named shares (default train=0.8,val=0.1,test=0.1), as a list or `train=0.8,...` text. */
  ratios?: readonly SplitRatio[] | string;
  /** K-fold instead of ratios: K equal splits `fold-1`…`fold-K`, each group in exactly one. */
  folds?: number;
  /** Seed of every random choice (default 42). */
  seed?: number;
  /** `stratified` (default), `lx-ai` (lx-ai's exact shuffle-and-slice) or `random-groups`. */
  mode?: SplitMode;
  /** Local-search proposals in stratified mode (default scales with the number of groups). */
  iterations?: number;
}

/** Where every row and group went, and how good the split is. */
export interface SplitByGroupResult {
  /** Split names, in the order given. */
  splits: string[];
  /** Split index of each input row. */
  assignments: number[];
  /** Split name of each group. */
  groupSplits: Map<string, string>;
  report: SplitReport;
}

/** The default seed, as lx-ai uses. */
export const DEFAULT_SPLIT_SEED = 42;

/** Options after defaults and checks. */
export interface ResolvedSplitOptions {
  ratios: SplitRatio[];
  kind: "ratios" | "folds";
  seed: number;
  mode: SplitMode;
}

/**
 * Applies defaults (train=0.8,val=0.1,test=0.1, seed 42, stratified) and checks the options,
 * throwing RangeError for bad ratios, folds, seed or mode, so callers can check before reading data.
 * @example resolveSplitOptions({ folds: 3 }).ratios.map((r) => r.name) // ["fold-1", "fold-2", "fold-3"]
 */
export function resolveSplitOptions(
  options: Pick<SplitByGroupOptions, "ratios" | "folds" | "seed" | "mode">,
): ResolvedSplitOptions {
  let ratios: SplitRatio[];
  let kind: "ratios" | "folds" = "ratios";
  if (options.folds !== undefined) {
    if (options.ratios !== undefined)
      throw new RangeError("Cannot split: give either ratios or folds, not both");
    ratios = foldRatios(options.folds);
    kind = "folds";
  } else {
    const given = options.ratios ?? DEFAULT_SPLIT_RATIOS;
    ratios = typeof given === "string" ? parseSplitRatios(given) : validateSplitRatios(given);
  }
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`Cannot split: the seed must be a whole number >= 0, got ${seed}`);
  const mode = options.mode ?? "stratified";
  if (mode !== "stratified" && mode !== "lx-ai" && mode !== "random-groups") {
    throw new RangeError(
      `Cannot split: unknown mode "${String(mode)}" (use stratified, lx-ai or random-groups)`,
    );
  }
  if (mode === "lx-ai" && kind === "folds")
    throw new RangeError(
      "Cannot split in lx-ai mode: lx-ai has no k-fold; use stratified or random-groups",
    );
  if (mode === "lx-ai" && ratios.length !== 3) {
    throw new RangeError(
      `Cannot split in lx-ai mode: it needs exactly three shares (train, val, test), got ${ratios.length}`,
    );
  }
  return { ratios, kind, seed, mode };
}

/**
 * lx-ai's `groupwise_split_indices_by_examination`: groups in first-seen order, shuffled by
 * Python's `random.Random(seed)`, then `n_test = round(test*G)`, `n_val = round(val*G)` (ties to
 * even), the first `G - n_val - n_test` shuffled groups train, the next val, the rest test.
 */
function lxAiAssign(table: GroupTable, ratios: readonly SplitRatio[], seed: number): Int32Array {
  const G = table.keys.length;
  const order = createPythonRandom(seed).shuffle(Array.from({ length: G }, (_, g) => g));
  const nTest = pythonRound((ratios[2]?.ratio ?? 0) * G);
  const nVal = pythonRound((ratios[1]?.ratio ?? 0) * G);
  const nTrain = G - nVal - nTest;
  const assign = new Int32Array(G);
  order.forEach((g, i) => (assign[g] = i < nTrain ? 0 : i < nTrain + nVal ? 1 : 2));
  return assign;
}

/** GroupShuffleSplit-like: shuffle groups, cut by number of groups (not samples). */
function randomGroupsAssign(
  table: GroupTable,
  ratios: readonly SplitRatio[],
  rng: SeededRng,
): Int32Array {
  const G = table.keys.length;
  const order = rng.shuffle(Array.from({ length: G }, (_, g) => g));
  const assign = new Int32Array(G);
  let cumulative = 0;
  let from = 0;
  ratios.forEach((r, k) => {
    cumulative += r.ratio;
    const to = k === ratios.length - 1 ? G : Math.min(G, Math.round(cumulative * G));
    for (let i = from; i < to; i++) assign[order[i] ?? 0] = k;
    from = Math.max(from, to);
  });
  return assign;
}

/**
 * Splits rows so that no group is in two splits, keeping each label's share balanced.
 * @example
 * const { assignments, report } = splitByGroup(
 *   [{ group: "exam-25", labels: ["polyp"] }, { group: "exam-26", labels: [] }],
 *   { ratios: "train=0.5,test=0.5", seed: 42 },
 * );
 */
export function splitByGroup(
  rows: readonly SplitRow[],
  options: SplitByGroupOptions = {},
): SplitByGroupResult {
  const { ratios, kind, seed, mode } = resolveSplitOptions(options);
  const table = buildGroupTable(rows);
  if (table.keys.length === 0) throw new RangeError("Cannot split: there are no rows");
  const shares = ratios.map((r) => r.ratio);
  let assign: Int32Array;
  if (mode === "lx-ai") assign = lxAiAssign(table, ratios, seed);
  else {
    const rng = createSeededRng(seed);
    if (mode === "random-groups") assign = randomGroupsAssign(table, ratios, rng);
    else {
      assign = stratifyGroups(table, shares, rng);
      refineSplit(table, shares, assign, {
        rng,
        ...(options.iterations === undefined ? {} : { iterations: options.iterations }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
    }
  }
  const names = ratios.map((r) => r.name);
  const assignments = Array.from(table.rowGroup, (g) => assign[g] ?? 0);
  const groupSplits = new Map<string, string>();
  table.keys.forEach((key, g) => groupSplits.set(key, names[assign[g] ?? 0] ?? ""));
  const report = buildSplitReport(table, assign, { names, ratios: shares, mode, seed, kind });
  return { splits: names, assignments, groupSplits, report };
}
