import assert from "node:assert/strict";
import { actionSteps, addedVersion } from "../../../extension/src/runs/run-actions.js";
import { flattenParams, parseHistory, runFromFolder, runsFromJobList, runsToCsv } from "../../../extension/src/runs/run-reader.js";

describe("parseHistory()", () => {
  it("reads epochs and skips a torn last line of a run still writing", () => {
    const rows = parseHistory('{"epoch":1,"val_loss":0.5,"note":"x"}\n{"epoch":2,"val_loss":0.4}\n{"epoch":3,"val_lo');
    assert.deepEqual(rows, [{ epoch: 1, val_loss: 0.5 }, { epoch: 2, val_loss: 0.4 }]);
  });

  it("skips lines without an epoch", () => {
    assert.deepEqual(parseHistory('{"val_loss":1}\n[1]\n'), []);
  });
});

describe("flattenParams()", () => {
  it("keeps scalars, flattens one level and drops folder paths", () => {
    assert.deepEqual(flattenParams({ lr_head: 0.001, runs_dir: "/x", backbone: { kind: "builtin", layers: [1] }, freeze: true }), { lr_head: 0.001, "backbone.kind": "builtin", freeze: true });
  });
});

describe("runFromFolder()", () => {
  it("builds a run view with final metrics and per-label rows", () => {
    const meta = { run_id: "r1", status: "completed", epochs_run: 2, config: { seed: 42 }, test_metrics_final: { map: 0.8, macro_f1: 0.5, per_label: [{ label: "polyp", precision: 1, recall: 0.5, f1: 0.66, support: 4, ap: null }] } };
    const run = runFromFolder("/w/runs/r1", meta, [{ epoch: 1, val_loss: 0.5 }, { epoch: 2, val_loss: 0.25 }]);
    assert.equal(run.id, "r1");
    assert.equal(run.status, "completed");
    assert.equal(run.metrics["test.map"], 0.8);
    assert.equal(run.metrics["final.val_loss"], 0.25);
    assert.deepEqual(run.perLabel, [{ label: "polyp", precision: 1, recall: 0.5, f1: 0.66, support: 4, ap: null }]);
  });

  it("shows a folder with history but no meta.json as running, named after the folder", () => {
    const run = runFromFolder("/w/runs/r2", undefined, [{ epoch: 1 }]);
    assert.equal(run.id, "r2");
    assert.equal(run.status, "running");
  });
});

describe("runsFromJobList()", () => {
  it("reads an array or a {jobs} object of job records", () => {
    const job = { id: "j1", kind: "noop", user: "u", state: "Running", progress: { phase: "training", percent: 40 } };
    assert.equal(runsFromJobList(JSON.stringify([job]))[0]?.metrics.progress_percent, 40);
    assert.equal(runsFromJobList(JSON.stringify({ jobs: [job] }))[0]?.status, "Running");
    assert.deepEqual(runsFromJobList("not json"), []);
  });
});

describe("runsToCsv()", () => {
  it("writes one row per run with params and metrics columns, quoting commas and quotes", () => {
    const run = runFromFolder("/w/runs/a", { run_id: "a", status: "completed", config: { note: 'x, "y"' }, test_metrics_final: { map: 0.5 } }, []);
    assert.equal(runsToCsv([run]), 'id,status,epochs,note,test.map\na,completed,0,"x, ""y""",0.5\n');
  });
});

describe("actionSteps() and addedVersion()", () => {
  const run = runFromFolder("/w/runs/r1", { run_id: "r1", status: "completed", config: {} }, []);

  it("deploys a run by adding it as a version, then deploying that version through the gate", () => {
    assert.deepEqual(actionSteps("deploy", run, "m", ""), [["models", "add", "--model", "m", "--from", "/w/runs/r1", "--json"], ["models", "deploy", "{version}", "--model", "m", "--json"]]);
    assert.equal(addedVersion('{"version":"v3","kind":"trainset-head"}'), "v3");
    assert.equal(addedVersion("added m v3"), undefined);
  });

  it("cancels a job by its id and reverts or restores a model by name", () => {
    assert.deepEqual(actionSteps("cancel", run, "", ""), [["jobs", "cancel", "r1", "--json"]]);
    assert.deepEqual(actionSteps("revert", run, "m", ""), [["models", "revert", "--model", "m", "--json"]]);
    assert.deepEqual(actionSteps("restore", run, "m", "v1"), [["models", "restore", "v1", "--model", "m", "--json"]]);
  });
});
