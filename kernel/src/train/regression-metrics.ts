/** Metrics of a 0–1 regression head: MAE, RMSE and Spearman's rank correlation (ties averaged). */

/** Figures on one split; null where the split is too small to have them. */
export interface RegressionMetrics {
  count: number;
  mae: number | null;
  rmse: number | null;
  /** Spearman's rho; null with fewer than 2 items or a constant side. */
  spearman: number | null;
}

/**
 * Ranks 1..n with ties given their average rank (as scipy.stats.rankdata).
 * @example averageRanks([10, 20, 20]) // [1, 2.5, 2.5]
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  const ranks = new Float64Array(n);
  for (let s = 0; s < n; ) {
    let e = s;
    while (e + 1 < n && values[order[e + 1] ?? 0] === values[order[s] ?? 0]) e++;
    const rank = (s + e) / 2 + 1;
    for (let k = s; k <= e; k++) ranks[order[k] ?? 0] = rank;
    s = e + 1;
  }
  return ranks;
}

/**
 * Pearson's correlation; null when either side is constant or n < 2.
 * @example pearson([1, 2, 3], [2, 4, 6]) // 1
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  if (n < 2) return null;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i] ?? 0; mb += b[i] ?? 0; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] ?? 0) - ma, db = (b[i] ?? 0) - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? null : sab / Math.sqrt(saa * sbb);
}

/**
 * MAE, RMSE and Spearman of predictions against targets.
 * @example regressionMetrics([0.1, 0.9], [0, 1]) // { count: 2, mae: 0.1, rmse: 0.1, spearman: 1 }
 */
export function regressionMetrics(predicted: ArrayLike<number>, target: ArrayLike<number>): RegressionMetrics {
  const n = predicted.length;
  if (n === 0) return { count: 0, mae: null, rmse: null, spearman: null };
  let abs = 0, sq = 0;
  for (let i = 0; i < n; i++) {
    const d = (predicted[i] ?? 0) - (target[i] ?? 0);
    abs += Math.abs(d);
    sq += d * d;
  }
  return { count: n, mae: abs / n, rmse: Math.sqrt(sq / n), spearman: pearson(averageRanks(predicted), averageRanks(target)) };
}
