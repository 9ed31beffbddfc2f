import assert from "node:assert/strict";
import { appendFile } from "node:fs/promises";
import { appendAuditEntry, auditStatistics, readAuditHistory, systemInfo } from "../../../kernel/src/service/audit-log.js";
import { storePaths } from "../../../kernel/src/service/store-layout.js";
import { useTempDir } from "../../support/tmp.js";

describe("audit log", () => {
  const tmp = useTempDir();

  async function seed(root: string): Promise<void> {
    await appendAuditEntry(root, { action: "train", user: "ana", outcome: "success", at: "2026-01-01T10:00:00.000Z", durationMs: 60_000, jobId: "j1", metrics: { "test.mae": 0.1 }, system: systemInfo() });
    await appendAuditEntry(root, { action: "train", user: "bo", outcome: "failure", at: "2026-01-02T10:00:00.000Z", durationMs: 20_000, jobId: "j2", error: "No annotations found for training" });
    await appendAuditEntry(root, { action: "train", user: "ana", outcome: "cancelled", at: "2026-01-03T10:00:00.000Z", jobId: "j3" });
    await appendAuditEntry(root, { action: "deploy", user: "ana", outcome: "success", at: "2026-01-04T10:00:00.000Z", durationMs: 100, model: "fi", version: "v1" });
  }

  it("returns the history newest first, filtered by action, user, outcome, model, job and dates", async () => {
    const root = tmp();
    await seed(root);
    assert.deepEqual((await readAuditHistory(root)).map((e) => e.jobId ?? e.version), ["v1", "j3", "j2", "j1"]);
    assert.equal((await readAuditHistory(root, { action: "train" })).length, 3);
    assert.deepEqual((await readAuditHistory(root, { user: "ana", action: "train" })).map((e) => e.jobId), ["j3", "j1"]);
    assert.deepEqual((await readAuditHistory(root, { outcome: "failure" }))[0]?.error, "No annotations found for training");
    assert.equal((await readAuditHistory(root, { model: "fi" }))[0]?.version, "v1");
    assert.deepEqual((await readAuditHistory(root, { since: "2026-01-02T00:00:00Z", until: "2026-01-03T23:00:00Z" })).map((e) => e.jobId), ["j3", "j2"]);
    assert.deepEqual((await readAuditHistory(root, { limit: 1 })).map((e) => e.version), ["v1"]);
    const first = (await readAuditHistory(root, { jobId: "j1" }))[0];
    assert.equal(first?.system?.node, process.version);
  });

  it("computes counts by outcome and action, average and total duration and the date range", async () => {
    const root = tmp();
    await seed(root);
    const s = await auditStatistics(root, { action: "train" });
    assert.equal(s.total, 3);
    assert.deepEqual(s.byOutcome, { success: 1, failure: 1, cancelled: 1 });
    assert.equal(s.totalDurationMs, 80_000);
    assert.equal(s.averageDurationMs, 40_000);
    assert.equal(s.firstAt, "2026-01-01T10:00:00.000Z");
    assert.equal(s.lastAt, "2026-01-03T10:00:00.000Z");
    assert.deepEqual((await auditStatistics(root)).byAction, { train: 3, deploy: 1 });
  });

  it("is empty without a log, and skips a torn last line, which the next append repairs", async () => {
    const root = tmp();
    assert.deepEqual(await readAuditHistory(root), []);
    assert.equal((await auditStatistics(root)).total, 0);
    await seed(root);
    await appendFile(storePaths(root).auditLog, '{"action":"train","us');
    const s = await auditStatistics(root);
    assert.equal(s.total, 4);
    assert.equal(s.skippedLines, 1);
    const repair = await appendAuditEntry(root, { action: "restore", user: "ana", outcome: "success" });
    assert.equal(repair?.kind, "torn-line");
    assert.equal((await auditStatistics(root)).skippedLines, 0);
    assert.equal((await readAuditHistory(root))[0]?.action, "restore");
  });
});
