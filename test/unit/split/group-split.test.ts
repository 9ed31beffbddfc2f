import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { parseSplitRatios, splitByGroup, foldRatios, type SplitRow } from "trainset";
import { rowsOf, syntheticExams } from "./fixtures.js";

const PREVALENCE = [0.02, 0.04, 0.08, 0.12, 0.2, 0.3];
const records = syntheticExams({ exams: 300, rows: 8000, prevalence: PREVALENCE, seed: 3 });
const rows = rowsOf(records);

function splitsOfGroups(
  r: readonly SplitRow[],
  assignments: readonly number[],
): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  r.forEach((row, i) => {
    const set = out.get(row.group) ?? new Set<number>();
    set.add(assignments[i] ?? -1);
    out.set(row.group, set);
  });
  return out;
}

describe("splitByGroup()", () => {
  const result = splitByGroup(rows, { seed: 42 });

  it("never puts one group in two splits", () => {
    for (const [group, splits] of splitsOfGroups(rows, result.assignments))
      assert.equal(splits.size, 1, `group ${group}`);
    for (const [group, split] of result.groupSplits) {
      const k = result.splits.indexOf(split);
      rows.forEach((row, i) => {
        if (row.group === group) assert.equal(result.assignments[i], k);
      });
    }
  });

  it("assigns every sample to exactly one split and counts it once", () => {
    assert.equal(result.assignments.length, rows.length);
    assert.ok(result.assignments.every((k) => Number.isInteger(k) && k >= 0 && k < 3));
    const total = result.report.splits.reduce((a, s) => a + s.samples, 0);
    assert.equal(total, rows.length);
    assert.equal(
      result.report.splits.reduce((a, s) => a + s.groups, 0),
      new Set(rows.map((r) => r.group)).size,
    );
  });

  it("meets the sample ratios within half a point and keeps every label within 8 % of its rate", () => {
    assert.deepEqual(result.splits, ["train", "val", "test"]);
    for (const s of result.report.splits) {
      const counted = result.assignments.filter((k) => k === result.splits.indexOf(s.name)).length;
      assert.equal(s.samples, counted);
      assert.ok(
        Math.abs(counted / rows.length - s.targetShare) <= 0.005,
        `${s.name}: ${counted / rows.length}`,
      );
    }
    assert.ok(result.report.ratioErrorPoints <= 0.5, String(result.report.ratioErrorPoints));
    const worst = result.report.maxRelativeDeviation;
    assert.ok(worst !== null && worst.value <= 0.08, JSON.stringify(worst));
  });

  it("balances labels far better than shuffling groups", () => {
    const random = splitByGroup(rows, { seed: 42, mode: "random-groups" });
    const ours = result.report.maxRelativeDeviation?.value ?? Infinity;
    const theirs = random.report.maxRelativeDeviation?.value ?? 0;
    assert.ok(ours * 3 < theirs, `stratified ${ours} vs random-groups ${theirs}`);
  });

  it("gives the same assignment for the same seed and a different one for another seed", () => {
    const again = splitByGroup(rows, { seed: 42 });
    assert.deepEqual(again.assignments, result.assignments);
    assert.deepEqual(again.report, result.report);
    const other = splitByGroup(rows, { seed: 7 });
    assert.notDeepEqual(other.assignments, result.assignments);
  });

  it("puts a label found in at least as many groups as splits into every split", () => {
    // "rare" sits in exactly three groups, one of them large; 3 splits must each get one.
    const base = rowsOf(syntheticExams({ exams: 60, rows: 1500, prevalence: [0.1, 0.3], seed: 9 }));
    const groups = [...new Set(base.map((r) => r.group))];
    const chosen = new Set(groups.slice(0, 3));
    const tricky = base.map((r) =>
      chosen.has(r.group) ? { ...r, labels: [...(r.labels as string[]), "rare"] } : r,
    );
    for (const seed of [1, 2, 3, 42]) {
      const out = splitByGroup(tricky, { seed });
      for (const s of out.report.splits)
        assert.ok(!s.absentLabels.includes("rare"), `seed ${seed}: ${s.name} lacks "rare"`);
      assert.deepEqual(out.report.guarantee.unmet, []);
    }
    const folds = splitByGroup(
      tricky.map((r) =>
        r.group === groups[3] || r.group === groups[4]
          ? { ...r, labels: [...(r.labels as string[]), "rare"] }
          : r,
      ),
      { folds: 5 },
    );
    for (const s of folds.report.splits)
      assert.ok(!s.absentLabels.includes("rare"), `${s.name} lacks "rare"`);
  });

  it("keeps the guarantee on many small random inputs with labels in exactly as many groups as splits", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const base = rowsOf(
        syntheticExams({
          exams: 12 + (seed % 7) * 5,
          rows: 300,
          prevalence: [0.05, 0.2, 0.4],
          seed,
        }),
      );
      const groups = [...new Set(base.map((r) => r.group))];
      const K = 2 + (seed % 4);
      const picks = new Set(groups.filter((_, i) => i % 3 === seed % 3).slice(0, K));
      const data = base.map((r) =>
        picks.has(r.group) ? { ...r, labels: [...(r.labels as string[]), "exact"] } : r,
      );
      const out = splitByGroup(data, { folds: K, seed, iterations: 20_000 });
      assert.deepEqual(out.report.guarantee.unmet, [], `seed ${seed}, ${K} folds`);
      for (const [, splits] of splitsOfGroups(data, out.assignments)) assert.equal(splits.size, 1);
    }
  });

  it("covers every group exactly once with k folds of about equal size", () => {
    const out = splitByGroup(rows, { folds: 5, seed: 1 });
    assert.deepEqual(out.splits, ["fold-1", "fold-2", "fold-3", "fold-4", "fold-5"]);
    const perGroup = splitsOfGroups(rows, out.assignments);
    assert.equal(perGroup.size, out.groupSplits.size);
    for (const splits of perGroup.values()) assert.equal(splits.size, 1);
    assert.equal(
      out.report.splits.reduce((a, s) => a + s.groups, 0),
      perGroup.size,
    );
    assert.equal(out.report.kind, "folds");
    assert.ok(out.report.ratioErrorPoints <= 1, String(out.report.ratioErrorPoints));
  });

  it("accepts label-count vectors and row weights", () => {
    const weighted: SplitRow[] = Array.from({ length: 40 }, (_, i) => ({
      group: `g${i % 20}`,
      labels: { a: i % 3, b: 1 },
      weight: 1 + (i % 2),
    }));
    const out = splitByGroup(weighted, { ratios: "train=0.5,test=0.5", seed: 3 });
    assert.equal(out.report.whole.samples, 60);
    assert.equal(out.report.whole.labels.find((l) => l.label === "b")?.positives, 60);
    assert.equal(
      out.report.splits[0]?.samples,
      out.assignments.reduce((a, k, i) => a + (k === 0 ? (weighted[i]?.weight ?? 1) : 0), 0),
    );
  });

  it("refuses a row without a group, an empty label name and ratios that do not sum to 1", () => {
    assert.throws(
      () =>
        splitByGroup([
          { group: "a", labels: [] },
          { group: "", labels: ["x"] },
        ]),
      { name: "TypeError", message: /rows\[1\]\.group must be a non-empty string/ },
    );
    assert.throws(() => splitByGroup([{ group: "a", labels: ["x", ""] }]), {
      name: "TypeError",
      message: /rows\[0\]\.labels must hold non-empty strings/,
    });
    assert.throws(() => splitByGroup(rows, { ratios: "0.8,0.1,0.2" }), {
      name: "RangeError",
      message: /sum to 1\.1, not 1/,
    });
    assert.throws(() => splitByGroup(rows, { folds: 5, mode: "lx-ai" }), /lx-ai has no k-fold/);
    assert.throws(() => splitByGroup([], {}), /there are no rows/);
  });
});

describe("splitByGroup() in lx-ai mode", () => {
  // lx-ai's groupwise_split_indices_by_examination, written out in Python and run as is.
  const script = `
import json, random, sys
d = json.load(sys.stdin)
groups = {}
for i, (fid, exam) in enumerate(zip(d["frame_ids"], d["exam_ids"])):
    groups.setdefault(exam if exam is not None else f"no_exam_{fid}", []).append(i)
ids = list(groups.keys())
random.Random(d["seed"]).shuffle(ids)
g = len(ids)
n_test = int(round(d["test"] * g)); n_val = int(round(d["val"] * g)); n_train = g - n_val - n_test
parts = [ids[:n_train], ids[n_train:n_train + n_val], ids[n_train + n_val:]]
print(json.dumps([sorted(i for gid in p for i in groups[gid]) for p in parts]))
`;

  for (const { exams, seed, val, test } of [
    { exams: 25, seed: 42, val: 0.2, test: 0.1 },
    { exams: 35, seed: 0, val: 0.1, test: 0.1 },
    { exams: 300, seed: 7, val: 0.15, test: 0.15 },
    { exams: 1261, seed: 42, val: 0.1, test: 0.1 },
  ]) {
    it(`assigns exactly the groups Python assigns (${exams} exams, seed ${seed}, val ${val}, test ${test})`, () => {
      const data = syntheticExams({ exams, rows: exams * 6, prevalence: [0.1], seed: exams });
      // Some images without an examination become their own group, as in lx-ai.
      data.forEach((r, i) => {
        if (i % 97 === 0) r.old_examination_id = null;
      });
      const expected = JSON.parse(
        execFileSync("/usr/bin/python3", ["-c", script], {
          input: JSON.stringify({
            frame_ids: data.map((r) => r.old_id),
            exam_ids: data.map((r) => r.old_examination_id),
            seed,
            val,
            test,
          }),
          encoding: "utf8",
        }),
      ) as number[][];
      const ratios = [
        { name: "train", ratio: 1 - val - test },
        { name: "val", ratio: val },
        { name: "test", ratio: test },
      ];
      const out = splitByGroup(rowsOf(data), { mode: "lx-ai", seed, ratios });
      const ours = [0, 1, 2].map((k) => out.assignments.flatMap((a, i) => (a === k ? [i] : [])));
      assert.deepEqual(ours, expected);
    });
  }

  it("needs exactly three shares", () => {
    assert.throws(
      () => splitByGroup(rows, { mode: "lx-ai", ratios: "train=0.9,test=0.1" }),
      /exactly three shares/,
    );
  });
});

describe("parseSplitRatios()", () => {
  it("reads named and positional shares", () => {
    assert.deepEqual(parseSplitRatios("train=0.7, val=0.2, test=0.1"), [
      { name: "train", ratio: 0.7 },
      { name: "val", ratio: 0.2 },
      { name: "test", ratio: 0.1 },
    ]);
    assert.deepEqual(
      parseSplitRatios("0.9,0.1").map((r) => r.name),
      ["train", "val"],
    );
    assert.deepEqual(
      foldRatios(3).map((r) => r.name),
      ["fold-1", "fold-2", "fold-3"],
    );
  });

  it("explains what is wrong with bad shares", () => {
    assert.throws(() => parseSplitRatios("80,10,10"), /sum to 100, not 1/);
    assert.throws(() => parseSplitRatios("train=0.5,train=0.5"), /"train" appears twice/);
    assert.throws(() => parseSplitRatios("train=0.5,0.5"), /name either every share/);
    assert.throws(() => parseSplitRatios("train=abc,val=1"), /"abc" for train is not a number/);
    assert.throws(
      () => parseSplitRatios("train=1.2,val=-0.2"),
      /"val" must be above 0 and at most 1, got -0\.2/,
    );
    assert.throws(() => foldRatios(1), /at least 2/);
  });
});
