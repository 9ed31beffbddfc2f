import assert from "node:assert/strict";
import { join } from "node:path";
import { ModelRegistry } from "../../../kernel/src/models/model-registry.js";
import { analyzeRun, analyzeTraining } from "../../../kernel/src/service/post-training-analysis.js";
import { useTempDir } from "../../support/tmp.js";
import { makeHeadRun } from "../models/model-fixtures.js";

const base = { trainingSamples: 100, trainingDurationSeconds: 300, annotationCount: 100, hadGpu: true, estimatedTimeMinutes: 5 };

describe("analyzeTraining()", () => {
  it("reproduces the seed's example: loss 0.08, 100 samples, on time -> Accept with score 50", () => {
    const a = analyzeTraining({ ...base, trainingLoss: 0.08 });
    assert.equal(a.qualityScore, 50);
    assert.equal(a.recommendation, "Accept");
    assert.deepEqual(a.observations.slice(0, 2), ["Excellent training loss - model learned patterns effectively", "Excellent sample size - model has sufficient data"]);
    assert.deepEqual(a.nextSteps[0], "Deploy the model for general use");
  });

  it("scores each loss band", () => {
    const score = (loss: number): number => analyzeTraining({ ...base, trainingLoss: loss, trainingSamples: 60 }).qualityScore - 10;
    assert.deepEqual([0.05, 0.2, 0.4, 0.6, 0.9].map(score), [30, 20, 10, -10, -30]);
  });

  it("recommends caution on a warning and Revert on a concern", () => {
    const caution = analyzeTraining({ ...base, trainingLoss: 0.08, trainingSamples: 30 });
    assert.equal(caution.recommendation, "Accept with caution");
    assert.deepEqual(caution.warnings, ["Limited training samples (30) - 100+ recommended"]);
    const revert = analyzeTraining({ ...base, trainingLoss: 0.08, trainingSamples: 10 });
    assert.equal(revert.recommendation, "Revert");
    assert.deepEqual(revert.concerns, ["Insufficient training samples (10) - minimum 20 required"]);
    assert.equal(analyzeTraining({ ...base, trainingLoss: 0.9 }).recommendation, "Revert");
  });

  it("warns when training took more than twice the estimate", () => {
    const a = analyzeTraining({ ...base, trainingLoss: 0.08, trainingDurationSeconds: 11 * 60 });
    assert.equal(a.recommendation, "Accept with caution");
    assert.match(a.warnings[0] ?? "", /more than twice the estimate \(5 minutes\)/);
  });

  it("compares with the active model and counts the gate metric", () => {
    const active = { version: "v1", metrics: { "test.mae": 0.1, "test.rmse": 0.2 }, gateMetric: { name: "test.mae", greaterIsBetter: false } };
    const worse = analyzeTraining({ ...base, trainingLoss: 0.08, metrics: { "test.mae": 0.15, "test.rmse": 0.18 } }, active);
    assert.equal(worse.recommendation, "Accept with caution");
    assert.match(worse.warnings[0] ?? "", /Worse than the active model: test.mae 0.15 vs 0.1 for the active v1/);
    assert.deepEqual(worse.comparedWith?.metrics.map((m) => [m.metric, m.better]), [["test.mae", false], ["test.rmse", true]]);
    const better = analyzeTraining({ ...base, trainingLoss: 0.08, metrics: { "test.mae": 0.05 } }, active);
    assert.equal(better.qualityScore, 60);
  });

  it("gives no better/worse verdict on counts and baseline metrics", () => {
    const active = { version: "v1", metrics: { "test.mae": 0.1, "test.count": 10, "test_baseline.mae": 0.3 } };
    const a = analyzeTraining({ ...base, trainingLoss: 0.08, metrics: { "test.mae": 0.09, "test.count": 12, "test_baseline.mae": 0.2 } }, active);
    assert.deepEqual(a.comparedWith?.metrics.map((m) => m.metric), ["test.mae"]);
  });
});

describe("analyzeRun()", () => {
  const tmp = useTempDir();
  it("reads a run folder and compares it with the registry's active model", async () => {
    const root = join(tmp(), "store");
    const reg = await ModelRegistry.open(root);
    await reg.addVersion("frame-importance", { from: await makeHeadRun(join(tmp(), "old"), { test: { mae: 0.1 } }) });
    await reg.deploy("frame-importance", "v1");
    const run = await makeHeadRun(join(tmp(), "new"), { tag: 2, test: { mae: 0.08 } });
    const a = await analyzeRun(run, { root, estimatedTimeMinutes: 5 });
    assert.equal(a.trainingLoss, 0.1);
    assert.equal(a.trainingSamples, 84);
    assert.equal(a.annotationCount, 120);
    assert.equal(a.comparedWith?.version, "v1");
    assert.ok(a.observations.some((o) => /Better than the active model: test.mae 0.08 vs 0.1/.test(o)));
  });

  it("compares a run whose job deployed it with the version active before, not with itself", async () => {
    const root = join(tmp(), "store");
    const reg = await ModelRegistry.open(root);
    await reg.addVersion("frame-importance", { from: await makeHeadRun(join(tmp(), "old"), { test: { mae: 0.1 } }), jobId: "job-1" });
    await reg.deploy("frame-importance", "v1");
    const run = await makeHeadRun(join(tmp(), "new"), { tag: 2, test: { mae: 0.08 } });
    await reg.addVersion("frame-importance", { from: run, jobId: "job-2" });
    await reg.deploy("frame-importance", "v2");
    const a = await analyzeRun(run, { root, jobId: "job-2", estimatedTimeMinutes: 5 });
    assert.equal(a.comparedWith?.version, "v1");
    assert.ok(a.observations.some((o) => /Better than the active model: test.mae 0.08 vs 0.1/.test(o)));
    const other = await analyzeRun(run, { root, jobId: "job-9", estimatedTimeMinutes: 5 });
    assert.equal(other.comparedWith?.version, "v2");
  });

  it("skips the comparison when the job's deploy replaced nothing", async () => {
    const root = join(tmp(), "store");
    const reg = await ModelRegistry.open(root);
    const run = await makeHeadRun(join(tmp(), "first"), { test: { mae: 0.1 } });
    await reg.addVersion("frame-importance", { from: run, jobId: "job-1" });
    await reg.deploy("frame-importance", "v1");
    assert.equal((await analyzeRun(run, { root, jobId: "job-1" })).comparedWith, undefined);
    assert.equal((await analyzeRun(run, { root, compareWith: null })).comparedWith, undefined);
  });
});
