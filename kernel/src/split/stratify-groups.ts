/**
 * Iterative stratification (Sechidis, Tsoumakas & Vlahavas 2011, "On the stratification of
 * multi-label data") lifted to groups: each group is one unit with a size and a label-count vector;
 * the label with the fewest unassigned positive groups is handled first, its groups smallest first;
 * each goes to a split with room left for it that still wants the most of that label, then the most
 * samples, then a seeded coin. A label found in at least as many groups as there are splits first
 * seeds every split that lacks it.
 */
import type { GroupTable } from "./group-table.js";
import type { SeededRng } from "./seeded-rng.js";

/** Labels that must reach every split: those with positives in at least `splits` groups. */
export function guaranteedLabels(table: GroupTable, splits: number): Uint8Array {
  const out = new Uint8Array(table.labels.length);
  for (let l = 0; l < out.length; l++) out[l] = (table.labelGroups[l] ?? 0) >= splits ? 1 : 0;
  return out;
}

/** The candidates with the highest score (all of them on a tie). */
function pickBest(candidates: number[], score: (k: number) => number): number[] {
  let best = -Infinity;
  let out: number[] = [];
  for (const k of candidates) {
    const s = score(k);
    if (s > best) {
      best = s;
      out = [k];
    } else if (s === best) out.push(k);
  }
  return out.length > 0 ? out : candidates.slice(0, 1);
}

/**
 * Assigns every group to a split index (0..ratios.length-1) by iterative stratification.
 * @example
 * const assign = stratifyGroups(buildGroupTable(rows), [0.8, 0.1, 0.1], createSeededRng(42));
 */
export function stratifyGroups(
  table: GroupTable,
  ratios: readonly number[],
  rng: SeededRng,
): Int32Array {
  const G = table.keys.length;
  const L = table.labels.length;
  const K = ratios.length;
  const assign = new Int32Array(G).fill(-1);
  const wantSize = ratios.map((r) => r * table.totalSize);
  const want = new Float64Array(K * L);
  for (let k = 0; k < K; k++)
    for (let l = 0; l < L; l++) want[k * L + l] = (ratios[k] ?? 0) * (table.labelTotals[l] ?? 0);
  const posGroups = new Int32Array(K * L);
  const remaining = Int32Array.from(table.labelGroups);
  const guaranteed = guaranteedLabels(table, K);

  // A seeded random rank breaks ties between otherwise equal groups.
  const rank = new Int32Array(G);
  rng.shuffle(Array.from({ length: G }, (_, g) => g)).forEach((g, i) => (rank[g] = i));

  const groupsOf: number[][] = Array.from({ length: L }, () => []);
  const unlabeled: number[] = [];
  for (let g = 0; g < G; g++) {
    const from = table.start[g] ?? 0;
    const to = table.start[g + 1] ?? 0;
    if (from === to) unlabeled.push(g);
    for (let i = from; i < to; i++) groupsOf[table.labelIndex[i] ?? 0]?.push(g);
  }

  const place = (g: number, k: number): void => {
    assign[g] = k;
    wantSize[k] = (wantSize[k] ?? 0) - (table.size[g] ?? 0);
    for (let i = table.start[g] ?? 0; i < (table.start[g + 1] ?? 0); i++) {
      const l = table.labelIndex[i] ?? 0;
      want[k * L + l] = (want[k * L + l] ?? 0) - (table.labelCount[i] ?? 0);
      posGroups[k * L + l] = (posGroups[k * L + l] ?? 0) + 1;
      remaining[l] = (remaining[l] ?? 0) - 1;
    }
  };
  const all = Array.from({ length: K }, (_, k) => k);

  for (;;) {
    // The label with the fewest unassigned positive groups (then fewest positives, then index).
    let label = -1;
    for (let l = 0; l < L; l++) {
      const r = remaining[l] ?? 0;
      if (r <= 0) continue;
      if (label < 0) label = l;
      else {
        const best = remaining[label] ?? 0;
        if (
          r < best ||
          (r === best && (table.labelTotals[l] ?? 0) < (table.labelTotals[label] ?? 0))
        )
          label = l;
      }
    }
    if (label < 0) break;
    const l = label;
    // Smallest groups first: they seed the splits that lack the label without dragging a huge
    // examination into a small split; the large ones come last and go where room is left.
    const groups = (groupsOf[l] ?? [])
      .filter((g) => assign[g] === -1)
      .sort(
        (a, b) => (table.size[a] ?? 0) - (table.size[b] ?? 0) || (rank[a] ?? 0) - (rank[b] ?? 0),
      );
    for (const g of groups) {
      let candidates = all;
      if (guaranteed[l] === 1) {
        const lacking = all.filter((k) => posGroups[k * L + l] === 0);
        if (lacking.length > 0) candidates = lacking;
      }
      // Only splits with room left for the whole group compete (all of them when none has room).
      const size = table.size[g] ?? 0;
      const roomy = candidates.filter((k) => (wantSize[k] ?? 0) >= size);
      if (roomy.length > 0) candidates = roomy;
      else candidates = pickBest(candidates, (k) => wantSize[k] ?? 0);
      let best = pickBest(candidates, (k) => want[k * L + l] ?? 0);
      if (best.length > 1) best = pickBest(best, (k) => wantSize[k] ?? 0);
      place(g, best.length > 1 ? (best[rng.nextInt(best.length)] ?? 0) : (best[0] ?? 0));
    }
  }
  unlabeled.sort(
    (a, b) => (table.size[b] ?? 0) - (table.size[a] ?? 0) || (rank[a] ?? 0) - (rank[b] ?? 0),
  );
  for (const g of unlabeled) {
    const best = pickBest(all, (k) => wantSize[k] ?? 0);
    place(g, best.length > 1 ? (best[rng.nextInt(best.length)] ?? 0) : (best[0] ?? 0));
  }
  return assign;
}
