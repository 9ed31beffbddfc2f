import assert from "node:assert/strict";
import { checkDeployGate } from "../../../kernel/src/models/deploy-gate.js";
import type { ModelVersion } from "../../../kernel/src/models/model-version.js";

function version(name: string, metrics: Record<string, number>, gate?: { name: string; greaterIsBetter: boolean }): ModelVersion {
  return { format: "trainset-model-version/1", model: "m", version: name, kind: "files", createdAt: "2026-01-01T00:00:00Z", files: [], metrics, ...(gate === undefined ? {} : { gateMetric: gate }) };
}

describe("checkDeployGate()", () => {
  it("refuses a candidate whose error metric is worse than the active one by more than the threshold, saying by how much", () => {
    const r = checkDeployGate(version("v3", { "test.mae": 0.15 }), version("v2", { "test.mae": 0.12 }), { metric: "test.mae", threshold: 0.01 });
    assert.equal(r.passed, false);
    assert.ok(Math.abs((r.worseBy ?? 0) - 0.03) < 1e-9);
    assert.match(r.reason, /test\.mae is 0\.15, worse than the active v2 \(0\.12\) by 0\.03 \(25%\), more than the allowed 0\.01 \(lower is better\); use --force/);
  });

  it("passes a worsening within the threshold", () => {
    const r = checkDeployGate(version("v3", { "test.mae": 0.125 }), version("v2", { "test.mae": 0.12 }), { metric: "test.mae", threshold: 0.01 });
    assert.equal(r.passed, true);
    assert.match(r.reason, /within the allowed/);
  });

  it("treats a higher accuracy as better and uses the version's own gate metric by default", () => {
    const gate = { name: "val.accuracy", greaterIsBetter: true };
    assert.equal(checkDeployGate(version("v3", { "val.accuracy": 0.9 }, gate), version("v2", { "val.accuracy": 0.8 })).passed, true);
    const worse = checkDeployGate(version("v3", { "val.accuracy": 0.7 }, gate), version("v2", { "val.accuracy": 0.8 }));
    assert.equal(worse.passed, false);
    assert.match(worse.reason, /higher is better/);
  });

  it("passes when nothing is active and refuses a candidate lacking the metric", () => {
    assert.equal(checkDeployGate(version("v1", { mae: 1 }), undefined, { metric: "mae" }).passed, true);
    const r = checkDeployGate(version("v2", {}), version("v1", { mae: 1 }), { metric: "mae" });
    assert.equal(r.passed, false);
    assert.match(r.reason, /^it has no mae to compare with the active v1 \(1\); use --force$/);
  });

  it("refuses a candidate without metrics to replace an active version gated on test.mae", () => {
    const r = checkDeployGate(version("v2", {}), version("v1", { "test.mae": 0.11 }, { name: "test.mae", greaterIsBetter: false }));
    assert.equal(r.passed, false);
    assert.equal(r.metric, "test.mae");
    assert.equal(r.reason, "it has no test.mae to compare with the active v1 (0.11); use --force");
  });
});
