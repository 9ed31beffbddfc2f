import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobRecord } from "../../../kernel/src/jobs/job-queue.js";
import { openRedisJobQueue, type RedisJobQueue } from "../../../kernel/src/jobs/redis/redis-queue.js";
import { ModelRegistry } from "../../../kernel/src/models/model-registry.js";
import { readAuditHistory } from "../../../kernel/src/service/audit-log.js";
import { useRedisServer } from "../../support/redis-server.js";
import { killAll, runCliProcess, startCliWorker, startTestWorker, type WorkerProcess } from "./worker-processes.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("Redis queue with several worker processes", function () {
  this.timeout(180_000);
  const redis = useRedisServer();
  let storeRoot: string;
  let url: string;
  let queue: RedisJobQueue;
  let processes: WorkerProcess[] = [];
  beforeEach(async () => {
    storeRoot = await mkdtemp(join(tmpdir(), "trainset-redis-workers-"));
    url = `${redis().url}?prefix=w${randomBytes(4).toString("hex")}&lockMs=1500&stalledMs=500`;
    queue = await openRedisJobQueue(url);
  });
  afterEach(async () => {
    killAll(processes);
    processes = [];
    await queue.close();
    await rm(storeRoot, { recursive: true, force: true });
  });

  it("runs 30 jobs on 3 workers exactly once each, retrying the job of a worker killed with SIGKILL", async () => {
    for (let i = 0; i < 3; i++) processes.push(await startTestWorker(url, storeRoot));
    const submitted: JobRecord[] = [];
    for (let i = 0; i < 30; i++) submitted.push(await queue.submit({ kind: "noop", config: { ms: 400, steps: 4 }, maxAttempts: 3 }));
    const victim = processes[0];
    assert.ok(victim !== undefined);
    // Kill the first worker in the middle of a job's training phase (before its registry write).
    let killedJob: string | undefined;
    for (let i = 0; i < 600 && killedJob === undefined; i++) {
      const running = await queue.list({ state: "Running" });
      const target = running.find((j) => j.workerId === victim.id && j.progress.phase === "training" && j.progress.percent < 50);
      if (target !== undefined) {
        victim.child.kill("SIGKILL");
        killedJob = target.id;
      } else await sleep(20);
    }
    assert.ok(killedJob !== undefined, "the first worker ran a job");
    for (let i = 0; i < 1500; i++) {
      if ((await queue.list({ state: ["Queued", "Running"] })).length === 0) break;
      await sleep(100);
    }
    const jobs = await Promise.all(submitted.map((j) => queue.get(j.id)));
    assert.deepEqual(jobs.filter((j) => j.state !== "Completed").map((j) => [j.id, j.state, j.error]), []);
    // Exactly once: one Completed event per job, and one Running per attempt.
    for (const job of jobs) {
      const events = await queue.readEvents(job.id);
      const states = events.flatMap((e) => (e.type === "state" ? [e.state] : []));
      assert.equal(states.filter((s) => s === "Completed").length, 1, `${job.id}: ${states.join(",")}`);
      assert.equal(states.filter((s) => s === "Running").length, job.attempts);
      assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
    }
    const killed = jobs.find((j) => j.id === killedJob);
    assert.equal(killed?.attempts, 2);
    assert.notEqual(killed?.workerId, victim.id);
    const killedEvents = await queue.readEvents(killedJob);
    assert.ok(killedEvents.some((e) => e.type === "state" && e.state === "Queued" && /Requeued: worker .* stopped renewing its lock/.test(e.reason ?? "")));
    // The registry has one version per job, numbered without gaps or duplicates.
    const registry = await ModelRegistry.open(storeRoot);
    const versions = (await registry.list("noop-model")).versions;
    assert.equal(versions.length, 30);
    assert.deepEqual(new Set(versions.map((v) => v.jobId)), new Set(jobs.map((j) => j.id)));
    assert.equal(new Set(versions.map((v) => v.version)).size, 30);
    // The audit log has one successful train entry per job.
    const audit = await readAuditHistory(storeRoot, {});
    const perJob = new Map<string, number>();
    for (const entry of audit) {
      const jobId = (entry.details as { jobId?: string } | undefined)?.jobId;
      if (entry.action === "train" && entry.outcome === "success" && jobId !== undefined) perJob.set(jobId, (perJob.get(jobId) ?? 0) + 1);
    }
    assert.deepEqual([...perJob.values()].filter((n) => n !== 1), []);
    assert.equal(perJob.size, 30);
  });

  it("fails a job with the reason once its workers died maxAttempts times", async () => {
    const job = await queue.submit({ kind: "noop", config: { ms: 60_000, steps: 600 }, maxAttempts: 2 });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const w = await startTestWorker(url, storeRoot);
      processes.push(w);
      for (let i = 0; i < 600 && (await queue.get(job.id)).workerId !== w.id; i++) await sleep(20);
      w.child.kill("SIGKILL");
    }
    processes.push(await startTestWorker(url, storeRoot));
    for (let i = 0; i < 600 && (await queue.get(job.id)).state === "Running"; i++) await sleep(50);
    const end = await queue.get(job.id);
    assert.equal(end.state, "Failed");
    assert.equal(end.attempts, 2);
    assert.match(end.error ?? "", /^Job was interrupted: worker .* stopped renewing its lock \(killed or cut off\) while it was running after 2 of 2 attempts$/);
  });

  it("cancels a job running in a `trainset worker` process from a `trainset jobs cancel` process", async () => {
    const worker = await startCliWorker(url, storeRoot);
    processes.push(worker);
    const job = await queue.submit({ kind: "noop", config: { ms: 120_000, steps: 1200 } });
    for (let i = 0; i < 600 && (await queue.get(job.id)).state !== "Running"; i++) await sleep(50);
    assert.equal((await queue.get(job.id)).workerId, worker.id);
    const cancel = await runCliProcess(["jobs", "cancel", job.id, "--queue", url, "--store", storeRoot, "--reason", "Stopped from another machine"]);
    assert.equal(cancel.code, 0, cancel.stderr);
    for (let i = 0; i < 600 && (await queue.get(job.id)).state === "Running"; i++) await sleep(50);
    const end = await queue.get(job.id);
    assert.equal(end.state, "Cancelled");
    assert.equal(end.error, "Stopped from another machine");
    assert.ok(end.progress.percent < 80, "the worker stopped the handler mid-training");
  });
});
