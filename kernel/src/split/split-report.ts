/** What a split achieved: per split samples, groups, per-label positives and rates, deviations. */
import type { GroupTable } from "./group-table.js";

/** How the splits were chosen. */
export type SplitMode = "stratified" | "lx-ai" | "random-groups";

/** One label in one split (or in the whole input). */
export interface SplitLabelStats {
  label: string;
  /** Positive samples (summed counts for count vectors). */
  positives: number;
  /** Positives per sample. */
  rate: number;
  /** Groups holding at least one positive. */
  groups: number;
  /** |rate / whole rate - 1|; null for the whole input or an empty split. */
  relativeDeviation: number | null;
}

/** One output split. */
export interface SplitPartReport {
  name: string;
  /** Share asked for. */
  targetShare: number;
  /** Share of the samples it got. */
  share: number;
  /** Samples (summed row weights). */
  samples: number;
  rows: number;
  groups: number;
  labels: SplitLabelStats[];
  /** The label whose rate is furthest from the whole, relatively. */
  maxRelativeDeviation: { label: string; value: number } | null;
  /** Labels present in the input but without a single positive here. */
  absentLabels: string[];
}

/** The `split_report.json` document. */
export interface SplitReport {
  mode: SplitMode;
  seed: number;
  /** `ratios` for named splits, `folds` for k-fold (each split is one held-out fold). */
  kind: "ratios" | "folds";
  whole: { samples: number; rows: number; groups: number; labels: SplitLabelStats[] };
  splits: SplitPartReport[];
  /** Largest |share - target| over the splits, in percentage points. */
  ratioErrorPoints: number;
  /** Largest relative per-label deviation over all splits and labels. */
  maxRelativeDeviation: { split: string; label: string; value: number } | null;
  /** Labels with positives in at least as many groups as there are splits must reach every split. */
  guarantee: { labels: number; unmet: { split: string; label: string }[] };
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * Measures an assignment (group index → split index) against the whole input.
 * @example
 * const report = buildSplitReport(table, assign, { names: ["train", "test"], ratios: [0.8, 0.2], mode: "stratified", seed: 42, kind: "ratios" });
 */
export function buildSplitReport(
  table: GroupTable,
  assign: Int32Array,
  meta: {
    names: readonly string[];
    ratios: readonly number[];
    mode: SplitMode;
    seed: number;
    kind: "ratios" | "folds";
  },
): SplitReport {
  const K = meta.names.length;
  const L = table.labels.length;
  const G = table.keys.length;
  const n = new Float64Array(K);
  const rows = new Int32Array(K);
  const groups = new Int32Array(K);
  const p = new Float64Array(K * L);
  const q = new Int32Array(K * L);
  for (let g = 0; g < G; g++) {
    const k = assign[g] ?? 0;
    n[k] = (n[k] ?? 0) + (table.size[g] ?? 0);
    rows[k] = (rows[k] ?? 0) + (table.rowCount[g] ?? 0);
    groups[k] = (groups[k] ?? 0) + 1;
    for (let i = table.start[g] ?? 0; i < (table.start[g + 1] ?? 0); i++) {
      const at = k * L + (table.labelIndex[i] ?? 0);
      p[at] = (p[at] ?? 0) + (table.labelCount[i] ?? 0);
      q[at] = (q[at] ?? 0) + 1;
    }
  }
  const N = table.totalSize;
  const wholeRate = (l: number): number => (N > 0 ? (table.labelTotals[l] ?? 0) / N : 0);
  const whole = {
    samples: round6(N),
    rows: table.rowGroup.length,
    groups: G,
    labels: table.labels.map((label, l) => ({
      label,
      positives: round6(table.labelTotals[l] ?? 0),
      rate: round6(wholeRate(l)),
      groups: table.labelGroups[l] ?? 0,
      relativeDeviation: null,
    })),
  };
  let overall: SplitReport["maxRelativeDeviation"] = null;
  let ratioError = 0;
  const unmet: { split: string; label: string }[] = [];
  const splits = meta.names.map((name, k): SplitPartReport => {
    const size = n[k] ?? 0;
    const share = N > 0 ? size / N : 0;
    ratioError = Math.max(ratioError, Math.abs(share - (meta.ratios[k] ?? 0)) * 100);
    let worst: SplitPartReport["maxRelativeDeviation"] = null;
    const absent: string[] = [];
    const labels = table.labels.map((label, l): SplitLabelStats => {
      const positives = p[k * L + l] ?? 0;
      const rate = size > 0 ? positives / size : 0;
      const base = wholeRate(l);
      const deviation = size > 0 && base > 0 ? Math.abs(rate / base - 1) : null;
      if (deviation !== null && (worst === null || deviation > worst.value))
        worst = { label, value: round6(deviation) };
      if ((table.labelTotals[l] ?? 0) > 0 && positives === 0) absent.push(label);
      if ((table.labelGroups[l] ?? 0) >= K && q[k * L + l] === 0)
        unmet.push({ split: name, label });
      return {
        label,
        positives: round6(positives),
        rate: round6(rate),
        groups: q[k * L + l] ?? 0,
        relativeDeviation: deviation === null ? null : round6(deviation),
      };
    });
    const w = worst as SplitPartReport["maxRelativeDeviation"];
    if (w !== null && (overall === null || w.value > overall.value))
      overall = { split: name, label: w.label, value: w.value };
    return {
      name,
      targetShare: round6(meta.ratios[k] ?? 0),
      share: round6(share),
      samples: round6(size),
      rows: rows[k] ?? 0,
      groups: groups[k] ?? 0,
      labels,
      maxRelativeDeviation: w,
      absentLabels: absent,
    };
  });
  let guaranteed = 0;
  for (let l = 0; l < L; l++) if ((table.labelGroups[l] ?? 0) >= K) guaranteed++;
  return {
    mode: meta.mode,
    seed: meta.seed,
    kind: meta.kind,
    whole,
    splits,
    ratioErrorPoints: round6(ratioError),
    maxRelativeDeviation: overall,
    guarantee: { labels: guaranteed, unmet },
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/**
 * Renders the report as plain-text tables (splits, then label rates by split) for the terminal.
 * @example console.log(formatSplitReport(result.report));
 */
export function formatSplitReport(report: SplitReport): string {
  const table = (header: string[], body: string[][]): string[] => {
    const widths = header.map((h, i) =>
      Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)),
    );
    const line = (cells: string[]): string =>
      cells
        .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join("  ")
        .trimEnd();
    return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
  };
  const splitRows = report.splits.map((s) => [
    s.name,
    String(s.samples),
    pct(s.share),
    pct(s.targetShare),
    String(s.groups),
    s.maxRelativeDeviation === null
      ? "-"
      : `${s.maxRelativeDeviation.value.toFixed(3)} (${s.maxRelativeDeviation.label})`,
    s.absentLabels.length === 0 ? "-" : s.absentLabels.join(","),
  ]);
  splitRows.push([
    "all",
    String(report.whole.samples),
    "100.00%",
    "100.00%",
    String(report.whole.groups),
    "",
    "",
  ]);
  const lines = table(
    ["split", "samples", "share", "target", "groups", "max rel. dev", "absent labels"],
    splitRows,
  );
  lines.push("");
  const labelRows = report.whole.labels.map((w, l) => [
    w.label,
    String(w.positives),
    pct(w.rate),
    ...report.splits.map((s) => {
      const x = s.labels[l];
      return x === undefined
        ? "-"
        : `${pct(x.rate)} ${x.relativeDeviation === null ? "" : `±${x.relativeDeviation.toFixed(3)}`}`.trimEnd();
    }),
  ]);
  lines.push(
    ...table(["label", "positives", "whole", ...report.splits.map((s) => s.name)], labelRows),
  );
  lines.push("");
  const worst = report.maxRelativeDeviation;
  lines.push(
    `mode ${report.mode}, seed ${report.seed}; ratio error ${report.ratioErrorPoints.toFixed(2)} points; ` +
      `largest relative deviation ${worst === null ? "-" : `${worst.value.toFixed(3)} (${worst.label} in ${worst.split})`}`,
  );
  if (report.guarantee.unmet.length > 0) {
    lines.push(
      `labels found in enough groups but missing from a split: ${report.guarantee.unmet.map((u) => `${u.label} (${u.split})`).join(", ")}`,
    );
  }
  return lines.join("\n");
}
