/**
 * The deploy gate, after MLflow's `MetricThreshold`: a candidate whose gate metric is worse than
 * the active model's by more than a threshold is refused (unless forced), and the refusal says by
 * how much. A candidate without the gate metric never replaces an active model that has it. Pure.
 */
import { greaterIsBetterFor, type ModelVersion } from "./model-version.js";

/** Gate settings; every field optional. */
export interface DeployGateOptions {
  /** Metric compared (default: the candidate's `gateMetric`, else none and the gate passes). */
  metric?: string;
  /** Largest allowed worsening, absolute (default 0: any worsening is refused). */
  threshold?: number;
  /** Direction (default: the version's `gateMetric`, else guessed from the name: loss/mae/rmse lower). */
  greaterIsBetter?: boolean;
}

/** What the gate decided. */
export interface DeployGateResult {
  passed: boolean;
  /** Why it passed without comparing, or the comparison. */
  reason: string;
  metric?: string;
  candidate?: number;
  active?: number;
  /** How much worse the candidate is (positive = worse), in the metric's units. */
  worseBy?: number;
  threshold?: number;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(4).replace(/\.?0+$/, "");
}

/**
 * Compares `candidate` with `active` on the gate metric.
 * @example checkDeployGate(v3, v2, { metric: "test.mae", threshold: 0.01 }).passed
 */
export function checkDeployGate(candidate: ModelVersion, active: ModelVersion | undefined, options: DeployGateOptions = {}): DeployGateResult {
  // A candidate without metrics has no gate metric of its own: the active one's still applies.
  const metric = options.metric ?? candidate.gateMetric?.name ?? active?.gateMetric?.name;
  if (metric === undefined) return { passed: true, reason: "no gate metric set" };
  if (active === undefined) return { passed: true, reason: "no active model to compare with", metric };
  const threshold = options.threshold ?? 0;
  const own = [candidate.gateMetric, active.gateMetric].find((g) => g?.name === metric);
  const greater = options.greaterIsBetter ?? own?.greaterIsBetter ?? greaterIsBetterFor(metric);
  const c = candidate.metrics[metric];
  const a = active.metrics[metric];
  if (c === undefined && a !== undefined) {
    return { passed: false, reason: `it has no ${metric} to compare with the active ${active.version} (${fmt(a)}); use --force`, metric, active: a, threshold };
  }
  if (c === undefined) {
    return { passed: false, reason: `the candidate ${candidate.version} has no metric "${metric}"`, metric, threshold };
  }
  if (a === undefined) return { passed: true, reason: `the active ${active.version} has no metric "${metric}"`, metric, candidate: c };
  const worseBy = greater ? a - c : c - a;
  const base = { metric, candidate: c, active: a, worseBy, threshold };
  if (worseBy > threshold) {
    const pct = a === 0 ? "" : ` (${fmt((Math.abs(worseBy) / Math.abs(a)) * 100)}%)`;
    return {
      ...base,
      passed: false,
      reason:
        `${metric} is ${fmt(c)}, worse than the active ${active.version} (${fmt(a)}) by ${fmt(worseBy)}${pct}, ` +
        `more than the allowed ${fmt(threshold)} (${greater ? "higher" : "lower"} is better); use --force to deploy anyway`,
    };
  }
  return { ...base, passed: true, reason: worseBy > 0 ? `${metric} is worse by ${fmt(worseBy)}, within the allowed ${fmt(threshold)}` : `${metric} is ${fmt(c)} vs ${fmt(a)}: not worse` };
}
