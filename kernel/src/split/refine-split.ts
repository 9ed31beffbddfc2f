/**
 * Seeded local search that polishes a group assignment: simulated annealing over exchanges between
 * two splits (one group moved, two groups swapped, or one large group traded for several small
 * ones of about its size), then greedy sweeps until nothing improves. The objective adds, per
 * split, the relative size error and every label's relative rate error, each to the 4th power so
 * the worst one dominates. Exchanges that would take a guaranteed label out of a split are refused
 * and ones that restore one are always taken, so the rare-label guarantee is kept (or repaired).
 */
import type { GroupTable } from "./group-table.js";
import type { SeededRng } from "./seeded-rng.js";
import { guaranteedLabels } from "./stratify-groups.js";
import { throwIfAborted, type RunControl } from "../util/run-control.js";

/** Options for {@link refineSplit}. */
export interface RefineSplitOptions extends RunControl {
  rng: SeededRng;
  /** Annealing proposals (default 400 per group, between 200,000 and 4,000,000). */
  iterations?: number;
}

/** Below this many expected positives a label's error is measured against this floor instead. */
const MIN_EXPECTED_POSITIVES = 20;
/** Swaps are swept exhaustively only up to this many groups (the sweep is quadratic). */
const SWAP_SWEEP_MAX_GROUPS = 3000;
/** Most small groups traded for one large group in a single exchange. */
const MAX_TRADE = 48;
const BLOCK = 1024;

function pow4(x: number): number {
  const x2 = x * x;
  return x2 * x2;
}

/** Mutable bookkeeping of one assignment, with allocation-free exchange evaluation. */
class SplitState {
  readonly K: number;
  readonly L: number;
  readonly G: number;
  readonly n: Float64Array;
  readonly p: Float64Array;
  readonly q: Int32Array;
  readonly f: Float64Array;
  readonly members: Int32Array[];
  readonly count: Int32Array;
  readonly pos: Int32Array;
  readonly target: Float64Array;
  readonly rate: Float64Array;
  readonly guaranteed: Uint8Array;
  readonly sizeWeight: number;
  violations = 0;
  /** The exchange being evaluated: `outA` leave split `a` for `b`, `outB` leave `b` for `a`. */
  a = 0;
  b = 0;
  readonly outA = new Int32Array(1);
  nA = 0;
  readonly outB = new Int32Array(MAX_TRADE);
  nB = 0;
  /** Results of the last evaluation. */
  dv = 0;
  df = 0;
  private fa = 0;
  private fb = 0;
  private readonly ra: Float64Array;
  private readonly rb: Float64Array;
  private readonly dq: Int32Array;
  private readonly marked: Uint8Array;
  private readonly touched: Int32Array;

  constructor(
    readonly table: GroupTable,
    ratios: readonly number[],
    readonly assign: Int32Array,
  ) {
    const K = ratios.length;
    const L = table.labels.length;
    const G = table.keys.length;
    this.K = K;
    this.L = L;
    this.G = G;
    this.n = new Float64Array(K);
    this.p = new Float64Array(K * L);
    this.q = new Int32Array(K * L);
    this.f = new Float64Array(K);
    this.members = Array.from({ length: K }, () => new Int32Array(G));
    this.count = new Int32Array(K);
    this.pos = new Int32Array(G);
    this.target = Float64Array.from(ratios, (r) => r * table.totalSize);
    this.rate = Float64Array.from(table.labelTotals, (c) =>
      table.totalSize > 0 ? c / table.totalSize : 0,
    );
    this.guaranteed = guaranteedLabels(table, K);
    this.sizeWeight = 4 * Math.max(1, L);
    this.ra = new Float64Array(L);
    this.rb = new Float64Array(L);
    this.dq = new Int32Array(L);
    this.marked = new Uint8Array(L);
    this.touched = new Int32Array(L);
    this.recompute();
  }

  recompute(): void {
    const { table, K, L } = this;
    this.n.fill(0);
    this.p.fill(0);
    this.q.fill(0);
    this.count.fill(0);
    for (let g = 0; g < this.G; g++) {
      const k = this.assign[g] ?? 0;
      this.n[k] = (this.n[k] ?? 0) + (table.size[g] ?? 0);
      const members = this.members[k] as Int32Array;
      const c = this.count[k] ?? 0;
      members[c] = g;
      this.pos[g] = c;
      this.count[k] = c + 1;
      for (let i = table.start[g] ?? 0; i < (table.start[g + 1] ?? 0); i++) {
        const at = k * L + (table.labelIndex[i] ?? 0);
        this.p[at] = (this.p[at] ?? 0) + (table.labelCount[i] ?? 0);
        this.q[at] = (this.q[at] ?? 0) + 1;
      }
    }
    this.violations = 0;
    for (let k = 0; k < K; k++) {
      for (let l = 0; l < L; l++) this.ra[l] = this.p[k * L + l] ?? 0;
      this.f[k] = this.term(k, this.n[k] ?? 0, this.ra);
      for (let l = 0; l < L; l++)
        if (this.guaranteed[l] === 1 && this.q[k * L + l] === 0) this.violations++;
    }
  }

  get objective(): number {
    let s = 0;
    for (let k = 0; k < this.K; k++) s += this.f[k] ?? 0;
    return s;
  }

  private term(k: number, size: number, positives: Float64Array): number {
    const target = this.target[k] ?? 1;
    let s = this.sizeWeight * pow4((size - target) / (target > 0 ? target : 1));
    for (let l = 0; l < this.L; l++) {
      const expected = size * (this.rate[l] ?? 0);
      s += pow4(
        ((positives[l] ?? 0) - expected) /
          (expected > MIN_EXPECTED_POSITIVES ? expected : MIN_EXPECTED_POSITIVES),
      );
    }
    return s;
  }

  /** Adds `sign` × group g's labels to the a-side scratch row and the opposite to the b-side. */
  private transfer(g: number, sign: number): number {
    const { table, dq, marked, touched } = this;
    let nt = this.nt;
    for (let i = table.start[g] ?? 0; i < (table.start[g + 1] ?? 0); i++) {
      const l = table.labelIndex[i] ?? 0;
      const c = (table.labelCount[i] ?? 0) * sign;
      this.ra[l] = (this.ra[l] ?? 0) + c;
      this.rb[l] = (this.rb[l] ?? 0) - c;
      // Each label is listed once however many groups of the exchange carry it.
      if (marked[l] === 0) {
        marked[l] = 1;
        touched[nt++] = l;
      }
      dq[l] = (dq[l] ?? 0) + sign;
    }
    this.nt = nt;
    return (table.size[g] ?? 0) * sign;
  }
  private nt = 0;

  /** Evaluates the current exchange into `dv` and `df`; returns false when it is not allowed. */
  evaluate(): boolean {
    const { a, b, L, dq, marked, touched } = this;
    if (
      (this.count[a] ?? 0) - this.nA + this.nB < 1 ||
      (this.count[b] ?? 0) - this.nB + this.nA < 1
    )
      return false;
    for (let l = 0; l < L; l++) {
      this.ra[l] = this.p[a * L + l] ?? 0;
      this.rb[l] = this.p[b * L + l] ?? 0;
    }
    this.nt = 0;
    let ds = 0;
    for (let i = 0; i < this.nA; i++) ds += this.transfer(this.outA[i] ?? 0, -1);
    for (let i = 0; i < this.nB; i++) ds += this.transfer(this.outB[i] ?? 0, 1);
    let dv = 0;
    for (let t = 0; t < this.nt; t++) {
      const l = touched[t] ?? 0;
      const d = dq[l] ?? 0;
      dq[l] = 0;
      marked[l] = 0;
      if (d === 0 || this.guaranteed[l] !== 1) continue;
      const qa = this.q[a * L + l] ?? 0;
      const qb = this.q[b * L + l] ?? 0;
      dv +=
        (qa + d === 0 ? 1 : 0) - (qa === 0 ? 1 : 0) + (qb - d === 0 ? 1 : 0) - (qb === 0 ? 1 : 0);
    }
    this.fa = this.term(a, (this.n[a] ?? 0) + ds, this.ra);
    this.fb = this.term(b, (this.n[b] ?? 0) - ds, this.rb);
    this.dv = dv;
    this.df = this.fa + this.fb - (this.f[a] ?? 0) - (this.f[b] ?? 0);
    return true;
  }

  private shift(g: number, from: number, to: number): void {
    const { table, L } = this;
    const s = table.size[g] ?? 0;
    this.n[from] = (this.n[from] ?? 0) - s;
    this.n[to] = (this.n[to] ?? 0) + s;
    const fromList = this.members[from] as Int32Array;
    const last = (this.count[from] ?? 1) - 1;
    const at = this.pos[g] ?? 0;
    const moved = fromList[last] ?? 0;
    fromList[at] = moved;
    this.pos[moved] = at;
    this.count[from] = last;
    const toList = this.members[to] as Int32Array;
    const c = this.count[to] ?? 0;
    toList[c] = g;
    this.pos[g] = c;
    this.count[to] = c + 1;
    for (let i = table.start[g] ?? 0; i < (table.start[g + 1] ?? 0); i++) {
      const l = table.labelIndex[i] ?? 0;
      const v = table.labelCount[i] ?? 0;
      this.p[from * L + l] = (this.p[from * L + l] ?? 0) - v;
      this.p[to * L + l] = (this.p[to * L + l] ?? 0) + v;
      this.q[from * L + l] = (this.q[from * L + l] ?? 0) - 1;
      this.q[to * L + l] = (this.q[to * L + l] ?? 0) + 1;
    }
    this.assign[g] = to;
  }

  /** Applies the last evaluated exchange. */
  apply(): void {
    const { a, b } = this;
    for (let i = 0; i < this.nA; i++) this.shift(this.outA[i] ?? 0, a, b);
    for (let i = 0; i < this.nB; i++) this.shift(this.outB[i] ?? 0, b, a);
    this.f[a] = this.fa;
    this.f[b] = this.fb;
    this.violations += this.dv;
  }

  /** Sets up moving g to split b (h < 0) or swapping g with h. */
  setPair(g: number, b: number, h: number): void {
    this.a = this.assign[g] ?? 0;
    this.b = b;
    this.outA[0] = g;
    this.nA = 1;
    this.nB = 0;
    if (h >= 0) {
      this.outB[0] = h;
      this.nB = 1;
    }
  }

  /** Sets up trading large group g for random smaller groups of split b of about its size. */
  setTrade(g: number, b: number, rng: SeededRng): void {
    this.setPair(g, b, -1);
    const { table } = this;
    const want = table.size[g] ?? 0;
    const list = this.members[b] as Int32Array;
    const available = this.count[b] ?? 0;
    let sum = 0;
    for (
      let tries = 0;
      tries < 4 * MAX_TRADE && this.nB < MAX_TRADE && sum < 0.95 * want;
      tries++
    ) {
      const h = list[rng.nextInt(available)] ?? 0;
      const s = table.size[h] ?? 0;
      if (s >= want || sum + s > 1.05 * want) continue;
      let seen = false;
      for (let i = 0; i < this.nB; i++) if (this.outB[i] === h) seen = true;
      if (seen) continue;
      this.outB[this.nB++] = h;
      sum += s;
    }
  }
}

function better(v1: number, f1: number, v2: number, f2: number): boolean {
  return v1 < v2 || (v1 === v2 && f1 < f2);
}

/**
 * Improves `assign` (group → split index) in place; same inputs and seed give the same result.
 * @example
 * const assign = stratifyGroups(table, [0.8, 0.1, 0.1], rng);
 * refineSplit(table, [0.8, 0.1, 0.1], assign, { rng });
 */
export function refineSplit(
  table: GroupTable,
  ratios: readonly number[],
  assign: Int32Array,
  options: RefineSplitOptions,
): void {
  const K = ratios.length;
  const G = table.keys.length;
  if (K < 2 || G < 2) return;
  const { rng } = options;
  const state = new SplitState(table, ratios, assign);
  const iterations = options.iterations ?? Math.min(4_000_000, Math.max(200_000, 400 * G));
  const meanSize = table.totalSize / G;

  const rows = table.rowGroup.length;
  const propose = (): boolean => {
    // Half the picks are by row, so large groups (the hard ones to place) are tried often.
    const g = rng.nextUint32() & 1 ? rng.nextInt(G) : (table.rowGroup[rng.nextInt(rows)] ?? 0);
    const a = assign[g] ?? 0;
    const b = (a + 1 + rng.nextInt(K - 1)) % K;
    const kind = rng.nextUint32() % 3;
    if (kind === 0 && (table.size[g] ?? 0) > 2 * meanSize) state.setTrade(g, b, rng);
    else if (kind !== 2 && (state.count[b] ?? 0) > 0) {
      const list = state.members[b] as Int32Array;
      state.setPair(g, b, list[rng.nextInt(state.count[b] ?? 1)] ?? 0);
    } else state.setPair(g, b, -1);
    return state.evaluate();
  };

  // Calibrate the starting temperature on the uphill steps seen from the start.
  const ups: number[] = [];
  for (let i = 0; i < 256; i++) if (propose() && state.dv === 0 && state.df > 0) ups.push(state.df);
  ups.sort((x, y) => x - y);
  const t0 = ups.length > 0 ? (ups[ups.length >> 1] ?? 1) : 1;
  const tEnd = t0 * 1e-6;
  const best = Int32Array.from(assign);
  let bestV = state.violations;
  let bestF = state.objective;

  for (let done = 0; done < iterations; done += BLOCK) {
    throwIfAborted(options.signal, "split the groups");
    options.onProgress?.({ phase: "balance splits", done, total: iterations, unit: "steps" });
    const temperature = t0 * Math.pow(tEnd / t0, done / iterations);
    for (let i = 0; i < BLOCK; i++) {
      if (!propose() || state.dv > 0) continue;
      if (state.dv < 0 || state.df <= 0 || rng.nextFloat() < Math.exp(-state.df / temperature))
        state.apply();
    }
    const objective = state.objective;
    if (better(state.violations, objective, bestV, bestF)) {
      best.set(assign);
      bestV = state.violations;
      bestF = objective;
    }
  }
  if (better(bestV, bestF, state.violations, state.objective)) {
    assign.set(best);
    state.recompute();
  }
  greedyPolish(state);
  options.onProgress?.({
    phase: "balance splits",
    done: iterations,
    total: iterations,
    unit: "steps",
  });
}

/** First-improvement sweeps over all moves, and all swaps for small inputs, until none helps. */
function greedyPolish(state: SplitState): void {
  const { assign, G, K } = state;
  const improves = (): boolean =>
    state.dv < 0 || (state.dv === 0 && state.df < -1e-12 * Math.max(state.objective, 1e-300));
  for (let pass = 0; pass < 50; pass++) {
    let changed = false;
    for (let g = 0; g < G; g++) {
      for (let b = 0; b < K; b++) {
        if (b === assign[g]) continue;
        state.setPair(g, b, -1);
        if (state.evaluate() && improves()) {
          state.apply();
          changed = true;
        }
      }
    }
    if (G <= SWAP_SWEEP_MAX_GROUPS) {
      for (let g = 0; g < G; g++) {
        for (let h = g + 1; h < G; h++) {
          const b = assign[h] ?? 0;
          if (b === assign[g]) continue;
          state.setPair(g, b, h);
          if (state.evaluate() && improves()) {
            state.apply();
            changed = true;
          }
        }
      }
    }
    if (!changed) break;
  }
}
