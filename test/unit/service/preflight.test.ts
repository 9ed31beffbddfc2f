import assert from "node:assert/strict";
import { storeAnnotations } from "../../../kernel/src/service/annotation-store.js";
import {
  assertPreflight,
  estimateTrainingMinutes,
  evaluatePreflight,
  PreflightBlockedError,
  probeSystem,
  runPreflight,
  type SystemFacts,
} from "../../../kernel/src/service/preflight.js";
import { useTempDir } from "../../support/tmp.js";

const GiB = 1024 ** 3;
const good: SystemFacts = { gpu: { name: "RTX", vramBytes: 8 * GiB, count: 1 }, ramBytes: 32 * GiB, freeRamBytes: 16 * GiB, cpus: 8, diskFreeBytes: 100 * GiB, diskPath: "/s" };

describe("evaluatePreflight()", () => {
  it("passes a good machine with enough annotations", () => {
    const r = evaluatePreflight(good, 150);
    assert.equal(r.meetsMinimumRequirements, true);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
  });

  it("fails below 8 GB RAM with the seed's message", () => {
    const r = evaluatePreflight({ ...good, ramBytes: 6 * GiB }, 150);
    assert.equal(r.meetsMinimumRequirements, false);
    assert.deepEqual(r.errors, ["Insufficient RAM (6.0 GB) - minimum 8GB required"]);
  });

  it("fails below 2 GB free disk and warns below 5 GB", () => {
    assert.deepEqual(evaluatePreflight({ ...good, diskFreeBytes: 1.5 * GiB }, 150).errors, ["Insufficient disk space (1.5 GB free) - minimum 2GB required"]);
    const low = evaluatePreflight({ ...good, diskFreeBytes: 3 * GiB }, 150);
    assert.equal(low.meetsMinimumRequirements, true);
    assert.deepEqual(low.warnings, ["Low disk space (3.0 GB free) - 5GB+ recommended"]);
  });

  it("fails under 20 annotations with the seed's message and warns under 100", () => {
    assert.deepEqual(evaluatePreflight(good, 19).errors, ["Insufficient training data - minimum 20 annotations required, 100+ recommended"]);
    const some = evaluatePreflight(good, 20);
    assert.equal(some.meetsMinimumRequirements, true);
    assert.match(some.warnings[0] ?? "", /Only 20 annotations - 100\+ recommended/);
  });

  it("warns without a GPU and for little VRAM", () => {
    const cpu: SystemFacts = { ...good };
    delete cpu.gpu;
    assert.match(evaluatePreflight(cpu, 150).warnings[0] ?? "", /No GPU detected - training will run on CPU \(10-50x slower\)/);
    assert.match(evaluatePreflight({ ...good, gpu: { name: "g", vramBytes: 1 * GiB, count: 1 } }, 150).warnings[0] ?? "", /Low VRAM \(1.0 GB\) - minimum 2GB recommended/);
    assert.match(evaluatePreflight({ ...good, gpu: { name: "g", vramBytes: 3 * GiB, count: 1 } }, 150).warnings[0] ?? "", /Limited VRAM \(3.0 GB\)/);
  });
});

describe("estimateTrainingMinutes()", () => {
  it("follows the seed's formula: n/100 x (0.5 | 1.5 | 10), x1.5 under 16 GB RAM, clamped to 1..120", () => {
    assert.equal(estimateTrainingMinutes(1000, { gpu: { name: "g", vramBytes: 8 * GiB, count: 1 }, ramBytes: 32 * GiB }), 5);
    assert.equal(estimateTrainingMinutes(1000, { gpu: { name: "g", vramBytes: 2 * GiB, count: 1 }, ramBytes: 32 * GiB }), 15);
    assert.equal(estimateTrainingMinutes(200, { ramBytes: 8 * GiB }), 30);
    assert.equal(estimateTrainingMinutes(10, { ramBytes: 32 * GiB }), 1);
    assert.equal(estimateTrainingMinutes(100_000, { ramBytes: 32 * GiB }), 120);
  });
});

describe("assertPreflight()", () => {
  it("blocks training with the seed's error shape", () => {
    const r = evaluatePreflight({ ...good, ramBytes: 6 * GiB }, 5);
    assert.throws(() => assertPreflight(r), (error: unknown) => {
      assert.ok(error instanceof PreflightBlockedError);
      assert.equal(error.problem.title, "System Requirements Not Met");
      assert.equal(error.problem.status, 400);
      assert.equal(error.problem.detail, "Training cannot proceed due to insufficient system resources. Insufficient RAM (6.0 GB) - minimum 8GB required; Insufficient training data - minimum 20 annotations required, 100+ recommended");
      assert.equal(error.problem.errors.length, 2);
      assert.ok(error.problem.recommendations.length >= 2);
      assert.match(error.message, /^Cannot start training: Training cannot proceed/);
      return true;
    });
  });
});

describe("runPreflight()", () => {
  const tmp = useTempDir();
  it("counts the user's stored annotations and probes this machine's RAM and disk", async () => {
    await storeAnnotations(tmp(), "u", Array.from({ length: 25 }, (_, i) => ({ framePath: `${i}.jpg`, rating: 0.5 })));
    const facts = await probeSystem(tmp());
    assert.ok(facts.ramBytes > 0 && (facts.diskFreeBytes ?? 0) > 0);
    const r = await runPreflight(tmp(), { user: "u", facts: good });
    assert.equal(r.annotationCount, 25);
    assert.equal(r.meetsMinimumRequirements, true);
  });
});
