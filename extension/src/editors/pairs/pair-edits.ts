/** Curator corrections of a preference record (kernel/src/formats/pairs.ts): flip the winner, tie, skip. Pure. */

/** A correction of one record. */
export type PairOp = { op: "flip"; winner: string } | { op: "mark"; mark: "tie" | "skip" | null };

type Obj = Record<string, unknown>;

/**
 * The record line after `op`, or null when it does not apply. Flip: the chosen loser becomes
 * `chosen_path` (its stage `chosen_stage`), the old winner joins the losers; `flipped: true`
 * records the manual correction. Marks go to `review` ("tie" / "skip"); null clears it.
 */
export function applyPairOp(text: string, op: PairOp): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const r: Obj = { ...(value as Obj) };
  if (op.op === "mark") {
    if (op.mark === null) delete r["review"];
    else r["review"] = op.mark;
    return JSON.stringify(r);
  }
  const negs = Array.isArray(r["neg_paths"]) ? (r["neg_paths"] as unknown[]).map(String) : [];
  const stages = Array.isArray(r["neg_stages"]) ? (r["neg_stages"] as unknown[]) : [];
  const i = negs.indexOf(op.winner);
  if (i < 0) return null;
  const oldWinner = r["chosen_path"];
  const oldStage = r["chosen_stage"] ?? null;
  const nextNegs = negs.filter((_, j) => j !== i);
  const nextStages = stages.filter((_, j) => j !== i);
  if (typeof oldWinner === "string") {
    nextNegs.unshift(oldWinner);
    nextStages.unshift(oldStage);
  }
  r["chosen_path"] = op.winner;
  r["chosen_stage"] = stages[i] ?? null;
  r["neg_paths"] = nextNegs;
  r["neg_stages"] = nextStages;
  if (r["rejected"] === true) r["rejected"] = false;
  r["flipped"] = r["flipped"] !== true;
  return JSON.stringify(r);
}
