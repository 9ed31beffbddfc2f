import assert from "node:assert/strict";
import { checkMemory, checkNode, checkDisk, runDoctor } from "trainset";
import { runCli } from "../../support/cli.js";

const GiB = 1024 ** 3;

describe("checkNode()", () => {
  it("passes 20.10 and newer and fails older versions", () => {
    assert.equal(checkNode("20.10.0").status, "pass");
    assert.equal(checkNode("22.1.0").status, "pass");
    assert.equal(checkNode("20.9.0").status, "fail");
    assert.equal(checkNode("18.19.0").status, "fail");
  });
});

describe("checkMemory()", () => {
  it("applies seed 004's thresholds: fail below 8 GB, warn below 16 GB", () => {
    const low = checkMemory(6 * GiB, 1 * GiB);
    assert.equal(low.status, "fail");
    assert.equal(low.summary, "Insufficient RAM (6.0 GB) - minimum 8GB required");
    assert.equal(checkMemory(12 * GiB, 4 * GiB).status, "warn");
    assert.equal(checkMemory(32 * GiB, 20 * GiB).status, "pass");
  });
});

describe("checkDisk()", () => {
  it("measures the free space of an existing folder", async () => {
    const check = await checkDisk(process.cwd());
    assert.ok(["pass", "warn", "fail"].includes(check.status));
    assert.equal(typeof check.details?.["freeBytes"], "number");
  });
});

describe("runDoctor()", () => {
  it("reports ffmpeg, onnxruntime and a working tfjs backend on this machine", async function () {
    this.timeout(30000);
    const report = await runDoctor();
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    assert.equal(byId.get("ffmpeg")?.status === "fail", false, byId.get("ffmpeg")?.summary);
    assert.equal(byId.get("onnxruntime")?.status, "pass");
    assert.equal(byId.get("tfjs-wasm")?.status, "pass");
    assert.ok(["tfjs-node-gpu", "tfjs-node", "wasm"].includes(report.trainingBackend));
  });
});

describe("trainset doctor", () => {
  it("prints a JSON report whose checks all have an id, a status and a summary", async function () {
    this.timeout(30000);
    const run = await runCli(["doctor", "--json"]);
    const report = JSON.parse(run.stdout) as { checks: Array<{ id: string; status: string; summary: string }> };
    assert.ok(report.checks.length >= 8);
    for (const check of report.checks) assert.ok(check.id !== "" && ["pass", "warn", "fail", "info"].includes(check.status) && check.summary !== "");
  });
});
