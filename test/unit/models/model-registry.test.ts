import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ModelRegistry } from "../../../kernel/src/models/model-registry.js";
import { readAuditHistory } from "../../../kernel/src/service/audit-log.js";
import { isTrainsetError } from "../../../kernel/src/util/errors.js";
import { useTempDir } from "../../support/tmp.js";
import { makeHeadRun, makeOnnx, makeOnnxRun } from "./model-fixtures.js";

describe("ModelRegistry", () => {
  const tmp = useTempDir();

  async function setup(): Promise<{ reg: ModelRegistry; root: string }> {
    const root = join(tmp(), "store");
    const reg = await ModelRegistry.open(root);
    await reg.addVersion("fi", { from: await makeHeadRun(join(tmp(), "factory"), { tag: 0, test: { mae: 0.2 } }), version: "default" });
    await reg.addVersion("fi", { from: await makeHeadRun(join(tmp(), "r1"), { tag: 1, test: { mae: 0.12 } }), jobId: "job-1" });
    await reg.addVersion("fi", { from: await makeHeadRun(join(tmp(), "r2"), { tag: 2, test: { mae: 0.15 } }), jobId: "job-2" });
    return { reg, root };
  }

  it("records each version with files, metrics, training config, job id and a guessed gate metric", async () => {
    const { reg } = await setup();
    const v1 = await reg.getVersion("fi", "v1");
    assert.equal(v1.kind, "trainset-head");
    assert.deepEqual(v1.files.map((f) => f.path), ["head.bin", "head.json", "meta.json"]);
    assert.equal(v1.metrics["test.mae"], 0.12);
    assert.equal(v1.metrics["final.train_loss"], 0.1);
    assert.deepEqual(v1.gateMetric, { name: "test.mae", greaterIsBetter: false });
    assert.equal(v1.jobId, "job-1");
    assert.equal(v1.runId, "run-1");
    assert.deepEqual(v1.trainingConfig, { seed: 42, tag: 1 });
  });

  it("falls back to the default before any deploy, then deploys with validation and keeps the previous restorable", async () => {
    const { reg, root } = await setup();
    assert.equal(await reg.activeModelPath("fi"), reg.versionDir("fi", "default"));
    const r1 = await reg.deploy("fi", "v1", { user: "ana" });
    assert.ok(r1.checks.some((c) => /head: linear 8->2 gave 2 finite logits/.test(c)), r1.checks.join("; "));
    const r2 = await reg.deploy("fi", "v2", { force: true });
    assert.equal(r2.previous, "v1");
    assert.equal(r2.forced, true);
    const restored = await reg.rollback("fi");
    assert.equal(restored.version, "v1");
    assert.equal((await reg.getActive("fi"))?.previous, "v2");
    const reverted = await reg.revertToDefault("fi");
    assert.equal(reverted.version, "default");
    const listing = await reg.list("fi");
    assert.equal(listing.active?.version, "default");
    assert.deepEqual(listing.versions.map((v) => v.version).sort(), ["default", "v1", "v2"]);
    const audit = await readAuditHistory(root, { model: "fi" });
    assert.deepEqual(audit.map((e) => e.action).sort(), ["deploy", "deploy", "restore", "revert"]);
    assert.equal(audit.find((e) => e.user === "ana")?.metrics?.["test.mae"], 0.12);
  });

  it("refuses a candidate without the gate metric over an active version that has it, unless forced", async () => {
    const root = join(tmp(), "store");
    const reg = await ModelRegistry.open(root);
    await reg.addVersion("m", { from: await makeHeadRun(join(tmp(), "a"), { tag: 1, test: { mae: 0.11 } }) });
    await reg.addVersion("m", { from: await makeHeadRun(join(tmp(), "b"), { tag: 2 }) });
    await reg.deploy("m", "v1");
    await assert.rejects(reg.deploy("m", "v2"), /Cannot deploy model "m" version "v2": it has no test\.mae to compare with the active v1 \(0\.11\); use --force/);
    assert.equal((await reg.getActive("m"))?.version, "v1");
    assert.equal((await reg.deploy("m", "v2", { force: true })).forced, true);
    assert.equal((await reg.getActive("m"))?.version, "v2");
  });

  it("refuses through the gate a worse candidate, saying by how much, and deploys it with force", async () => {
    const { reg, root } = await setup();
    await reg.deploy("fi", "v1");
    await assert.rejects(reg.deploy("fi", "v2", { gate: { threshold: 0.01 } }), (error: unknown) => {
      assert.ok(isTrainsetError(error, "VALIDATION_ERROR"));
      assert.match(error.message, /^Cannot deploy model "fi" version "v2": test\.mae is 0\.15, worse than the active v1 \(0\.12\) by 0\.03 \(25%\), more than the allowed 0\.01/);
      return true;
    });
    assert.equal((await reg.getActive("fi"))?.version, "v1");
    const failures = await readAuditHistory(root, { outcome: "failure" });
    assert.equal(failures.length, 1);
    assert.match(failures[0]?.error ?? "", /worse than the active v1/);
    const forced = await reg.deploy("fi", "v2", { gate: { threshold: 0.01 }, force: true });
    assert.equal(forced.forced, true);
    assert.equal((await reg.getActive("fi"))?.version, "v2");
  });

  it("refuses to deploy a version with a missing or altered file and leaves the active one", async () => {
    const { reg } = await setup();
    await reg.deploy("fi", "v1");
    await rm(join(reg.versionDir("fi", "v2"), "head.bin"));
    await assert.rejects(reg.deploy("fi", "v2", { force: true }), /Cannot deploy model "fi" version "v2": file head.bin is missing/);
    const metaPath = join(reg.versionDir("fi", "default"), "meta.json");
    const text = await readFile(metaPath, "utf8");
    await writeFile(metaPath, text.replace('"tag":0', '"tag":9'));
    await assert.rejects(reg.revertToDefault("fi"), /file meta.json does not match its SHA-256/);
    assert.equal((await reg.getActive("fi"))?.version, "v1");
  });

  it("validates ONNX versions with a real onnxruntime inference and rejects a broken ONNX file", async () => {
    const root = join(tmp(), "store");
    const reg = await ModelRegistry.open(root);
    await reg.addVersion("onnx", { from: await makeOnnx(join(tmp(), "model.onnx")) });
    const r = await reg.deploy("onnx", "v1");
    assert.ok(r.checks.some((c) => /^onnx: ran: input input 1x3x32x32 -> output features 1x4/.test(c)), r.checks.join("; "));
    await writeFile(join(tmp(), "broken.onnx"), "not a model");
    await reg.addVersion("onnx", { from: join(tmp(), "broken.onnx") });
    await assert.rejects(reg.deploy("onnx", "v2", { force: true }), /broken.onnx does not load or run in onnxruntime/);
    assert.equal((await reg.getActive("onnx"))?.version, "v1");
  });

  it("runs the whole model.onnx on a sample image when one is given", async () => {
    const reg = await ModelRegistry.open(join(tmp(), "store"));
    const { dir, sample } = await makeOnnxRun(join(tmp(), "run"));
    await reg.addVersion("ml", { from: dir });
    const r = await reg.deploy("ml", "v1", { sample });
    assert.ok(r.checks.some((c) => /^sample: sample.png -> a 0\.\d{3}, b 0\.\d{3}$/.test(c)), r.checks.join("; "));
    await assert.rejects(reg.deploy("ml", "v1", { sample: join(tmp(), "missing.png") }), /the sample inference on "missing.png" failed/);
  });

  it("refuses model names and versions that could leave the store, and duplicate versions", async () => {
    const { reg } = await setup();
    await assert.rejects(reg.addVersion("../evil", { from: tmp() }), /model name "..\/evil" contains a path separator/);
    await assert.rejects(reg.deploy("fi", ".."), /version ".." contains/);
    await assert.rejects(reg.addVersion("fi", { from: join(tmp(), "r1"), version: "v1" }), /version "v1" of model "fi": it already exists/);
    await assert.rejects(reg.rollback("fi"), /no previous active version/);
  });
});
