/**
 * Turns rows into the units a group split moves around: one per group, with its size (samples or
 * summed weights) and a sparse label-count vector. Groups keep their first-appearance order and
 * labels are sorted by code unit, so the table is the same for the same input on every run.
 */

/** A row's labels: names present (each counts once) or a label → count vector. */
export type SplitLabels = readonly string[] | Readonly<Record<string, number>>;

/** One sample as the generic splitter sees it. */
export interface SplitRow {
  /** Rows sharing a group always land in the same split (an examination, a video, a project…). */
  group: string;
  /** Labels present on the sample, or counts per label. */
  labels: SplitLabels;
  /** How much the row counts toward split sizes (default 1). */
  weight?: number;
}

/** The per-group view of a set of rows. */
export interface GroupTable {
  /** Group keys in order of first appearance. */
  keys: string[];
  /** Label names, sorted by code unit; indices below refer to this list. */
  labels: string[];
  /** Size of each group (sum of row weights). */
  size: Float64Array;
  /** Number of rows in each group. */
  rowCount: Int32Array;
  /** Group g's labels are `labelIndex[start[g]..start[g+1])` with counts in `labelCount`. */
  start: Int32Array;
  labelIndex: Int32Array;
  labelCount: Float64Array;
  /** Group index of each input row. */
  rowGroup: Int32Array;
  /** Sum of all group sizes. */
  totalSize: number;
  /** Positives (summed counts) per label over the whole input. */
  labelTotals: Float64Array;
  /** Number of groups holding at least one positive of each label. */
  labelGroups: Int32Array;
}

function isLabelArray(labels: SplitLabels): labels is readonly string[] {
  return Array.isArray(labels);
}

function rowLabelEntries(row: SplitRow, index: number): [string, number][] {
  const labels: unknown = row.labels;
  if (labels === null || typeof labels !== "object") {
    throw new TypeError(
      `rows[${index}].labels must be an array of label names or a label → count object`,
    );
  }
  const weight = row.weight ?? 1;
  if (isLabelArray(row.labels)) {
    const seen = new Set<string>();
    const out: [string, number][] = [];
    for (const name of row.labels as readonly unknown[]) {
      if (typeof name !== "string" || name === "") {
        throw new TypeError(
          `rows[${index}].labels must hold non-empty strings, found ${JSON.stringify(name)}`,
        );
      }
      if (!seen.has(name)) {
        seen.add(name);
        out.push([name, weight]);
      }
    }
    return out;
  }
  const out: [string, number][] = [];
  for (const name of Object.keys(row.labels).sort()) {
    const count: unknown = row.labels[name];
    if (name === "") throw new TypeError(`rows[${index}].labels has an empty label name`);
    if (typeof count !== "number" || !Number.isFinite(count) || count < 0) {
      throw new TypeError(
        `rows[${index}].labels["${name}"] must be a finite count >= 0, got ${JSON.stringify(count)}`,
      );
    }
    if (count > 0) out.push([name, count * weight]);
  }
  return out;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Builds the group table; throws TypeError for a row without a group or with malformed labels.
 * @example
 * const table = buildGroupTable([{ group: "exam-1", labels: ["polyp"] }, { group: "exam-1", labels: [] }]);
 * table.size[0]; // 2
 */
export function buildGroupTable(rows: readonly SplitRow[]): GroupTable {
  const groupIndex = new Map<string, number>();
  const keys: string[] = [];
  const rowGroup = new Int32Array(rows.length);
  const sizes: number[] = [];
  const counts: number[] = [];
  const perGroup: Map<string, number>[] = [];
  const labelSet = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row === undefined || typeof row !== "object")
      throw new TypeError(`rows[${i}] must be an object`);
    if (typeof row.group !== "string" || row.group === "") {
      throw new TypeError(
        `rows[${i}].group must be a non-empty string, got ${JSON.stringify(row.group)}`,
      );
    }
    const weight = row.weight ?? 1;
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight <= 0) {
      throw new TypeError(
        `rows[${i}].weight must be a finite number above 0, got ${JSON.stringify(weight)}`,
      );
    }
    let g = groupIndex.get(row.group);
    if (g === undefined) {
      g = keys.length;
      groupIndex.set(row.group, g);
      keys.push(row.group);
      sizes.push(0);
      counts.push(0);
      perGroup.push(new Map());
    }
    rowGroup[i] = g;
    sizes[g] = (sizes[g] ?? 0) + weight;
    counts[g] = (counts[g] ?? 0) + 1;
    const acc = perGroup[g] as Map<string, number>;
    for (const [name, value] of rowLabelEntries(row, i)) {
      labelSet.add(name);
      acc.set(name, (acc.get(name) ?? 0) + value);
    }
  }
  const labels = [...labelSet].sort(compareCodeUnits);
  const labelPos = new Map(labels.map((name, i) => [name, i]));
  const G = keys.length;
  const start = new Int32Array(G + 1);
  let nnz = 0;
  for (let g = 0; g < G; g++) {
    start[g] = nnz;
    nnz += (perGroup[g] as Map<string, number>).size;
  }
  start[G] = nnz;
  const labelIndex = new Int32Array(nnz);
  const labelCount = new Float64Array(nnz);
  const labelTotals = new Float64Array(labels.length);
  const labelGroups = new Int32Array(labels.length);
  for (let g = 0; g < G; g++) {
    const entries = [...(perGroup[g] as Map<string, number>)]
      .map(([name, value]) => [labelPos.get(name) ?? 0, value] as const)
      .sort((a, b) => a[0] - b[0]);
    let at = start[g] ?? 0;
    for (const [l, value] of entries) {
      labelIndex[at] = l;
      labelCount[at] = value;
      labelTotals[l] = (labelTotals[l] ?? 0) + value;
      labelGroups[l] = (labelGroups[l] ?? 0) + 1;
      at++;
    }
  }
  return {
    keys,
    labels,
    size: Float64Array.from(sizes),
    rowCount: Int32Array.from(counts),
    start,
    labelIndex,
    labelCount,
    rowGroup,
    totalSize: sizes.reduce((a, b) => a + b, 0),
    labelTotals,
    labelGroups,
  };
}
