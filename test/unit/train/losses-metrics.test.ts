import assert from "node:assert/strict";
import {
  averagePrecision,
  bceLoss,
  computeClassWeights,
  computeMetrics,
  focalLoss,
  learningRateAt,
  tuneThresholds,
  type LabelMatrix,
} from "../../../kernel/src/train/index.js";

const m = (rows: number, cols: number, values: number[]): LabelMatrix => ({ rows, cols, data: Float32Array.from(values) });

describe("computeClassWeights()", () => {
  it("weights labels by inverse known positives, normalised to mean 1, ignoring masked entries", () => {
    // label 0: 2 known positives; label 1: 1 known positive (the second "1" is masked)
    const targets = m(3, 2, [1, 1, 1, 1, 0, 0]);
    const masks = m(3, 2, [1, 1, 1, 0, 1, 1]);
    const w = computeClassWeights(targets, masks);
    const raw = [1 / (2 + 1e-6), 1 / (1 + 1e-6)];
    const mean = (raw[0]! + raw[1]!) / 2;
    assert.ok(Math.abs(w[0]! - raw[0]! / mean) < 1e-6);
    assert.ok(Math.abs(w[1]! - raw[1]! / mean) < 1e-6);
    assert.ok(Math.abs(w[0]! - 2 / 3) < 1e-5);
  });
});

describe("focalLoss()", () => {
  it("equals half of BCE at gamma 0 and alpha 0.5", () => {
    const logits = m(2, 2, [0.3, -1.2, 2.0, 0.1]);
    const targets = m(2, 2, [1, 0, 0, 1]);
    const masks = m(2, 2, [1, 1, 1, 1]);
    const focal = focalLoss(logits, targets, masks, { alpha: 0.5, gamma: 0 });
    assert.ok(Math.abs(focal - bceLoss(logits, targets, masks) / 2) < 1e-9);
  });

  it("matches a hand-computed value and ignores masked entries", () => {
    const logits = m(1, 2, [0, 5]);
    const targets = m(1, 2, [1, 0]);
    const masks = m(1, 2, [1, 0]);
    // p = 0.5, pt = 0.5, a_t = 0.25, (1-pt)^2 = 0.25 → 0.25*0.25*ln2 / 1
    const expected = 0.25 * 0.25 * Math.log(2);
    assert.ok(Math.abs(focalLoss(logits, targets, masks) - expected) < 1e-9);
  });

  it("applies per-label weights", () => {
    const logits = m(1, 2, [0, 0]);
    const targets = m(1, 2, [1, 1]);
    const masks = m(1, 2, [1, 1]);
    const base = focalLoss(logits, targets, masks);
    const weighted = focalLoss(logits, targets, masks, { weights: Float32Array.from([3, 1]) });
    assert.ok(Math.abs(weighted - 2 * base) < 1e-9);
  });

  it("returns 0 when every entry is masked", () => {
    assert.equal(focalLoss(m(1, 1, [1]), m(1, 1, [1]), m(1, 1, [0])), 0);
  });
});

describe("learningRateAt()", () => {
  const opts = { baseLr: 1e-3, epochs: 10, warmupEpochs: 2, minLr: 1e-6 };
  it("ramps linearly during warmup", () => {
    assert.equal(learningRateAt(1, opts), 5e-4);
    assert.equal(learningRateAt(2, opts), 1e-3);
  });
  it("starts the cosine at the base rate and ends near the floor", () => {
    assert.ok(Math.abs(learningRateAt(3, opts) - 1e-3) < 1e-12);
    const mid = 1e-6 + (1e-3 - 1e-6) * (1 + Math.cos(Math.PI * 0.5)) / 2;
    assert.ok(Math.abs(learningRateAt(7, opts) - mid) < 1e-12);
    assert.ok(learningRateAt(10, opts) < learningRateAt(9, opts));
  });
  it("rejects epoch 0", () => {
    assert.throws(() => learningRateAt(0, opts), RangeError);
  });
});

describe("computeMetrics()", () => {
  it("counts only known entries and reports null for a label with none", () => {
    const probs = m(3, 2, [0.9, 0.9, 0.2, 0.1, 0.7, 0.6]);
    const targets = m(3, 2, [1, 0, 1, 0, 0, 1]);
    const masks = m(3, 2, [1, 0, 1, 0, 1, 0]);
    const r = computeMetrics(probs, targets, masks, ["a", "b"]);
    assert.deepEqual([r.tp, r.fp, r.tn, r.fn], [1, 1, 0, 1]);
    assert.equal(r.per_label[1]?.f1, null);
    assert.ok(Math.abs(r.precision - 0.5) < 1e-5);
    assert.ok(Math.abs(r.per_label[0]!.ap! - (0.5 * 1 + 0.5 * (2 / 3))) < 1e-9);
  });
});

describe("averagePrecision()", () => {
  it("is 1 for a perfect ranking and null without positives", () => {
    assert.equal(averagePrecision([0.9, 0.8, 0.1], [1, 1, 0]), 1);
    assert.equal(averagePrecision([0.9], [0]), null);
  });
});

describe("tuneThresholds()", () => {
  it("finds a threshold that separates positives scored below 0.5", () => {
    const probs = m(4, 1, [0.3, 0.25, 0.1, 0.05]);
    const targets = m(4, 1, [1, 1, 0, 0]);
    const th = tuneThresholds(probs, targets, m(4, 1, [1, 1, 1, 1]));
    assert.ok(th[0]! > 0.1 && th[0]! <= 0.25);
    const r = computeMetrics(probs, targets, m(4, 1, [1, 1, 1, 1]), ["x"], th);
    assert.ok(r.f1 > 0.99);
  });
});
