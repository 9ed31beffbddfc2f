import { strict as assert } from "node:assert";
import { appendFile, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { openFileJobQueue, type FileJobQueue } from "../../../kernel/src/jobs/file-queue.js";
import { noopHandler } from "../../../kernel/src/jobs/handlers/noop.js";
import type { JobEvent, JobWorker } from "../../../kernel/src/jobs/job-queue.js";
import { isTrainsetError } from "../../../kernel/src/util/errors.js";
import { useTempDir } from "../../support/tmp.js";

describe("FileJobQueue", () => {
  const tmp = useTempDir("trainset-jobs-");
  let queue: FileJobQueue;
  let workers: JobWorker[] = [];
  beforeEach(async () => {
    queue = await openFileJobQueue(join(tmp(), "jobs"));
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop("cancel")));
    workers = [];
  });
  const worker = (options: { concurrency?: number; once?: boolean; onEvent?: (e: JobEvent) => void } = {}): JobWorker => {
    const w = queue.createWorker({ handlers: { noop: noopHandler }, storeRoot: tmp(), ...options });
    workers.push(w);
    return w;
  };

  it("writes the job to disk before submit returns", async () => {
    const job = await queue.submit({ kind: "noop", config: { ms: 1 }, user: "ana" });
    const onDisk = JSON.parse(await readFile(join(tmp(), "jobs", job.id, "job.json"), "utf8")) as { state: string; user: string };
    assert.equal(onDisk.state, "Queued");
    assert.equal(onDisk.user, "ana");
    assert.deepEqual((await queue.readEvents(job.id)).map((e) => [e.seq, e.type]), [[1, "state"]]);
  });

  it("runs a job through the seed's phases with increasing sequence numbers", async () => {
    const job = await queue.submit({ kind: "noop", config: { ms: 20, steps: 4 } });
    await worker({ once: true }).run();
    const done = await queue.get(job.id);
    assert.equal(done.state, "Completed");
    assert.deepEqual(done.result, { steps: 4, ms: 20 });
    const events = await queue.readEvents(job.id);
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
    const percents = events.flatMap((e) => (e.type === "progress" ? [[e.progress.phase, e.progress.percent]] : []));
    assert.deepEqual(percents, [["loading", 10], ["preparing", 20], ["training", 35], ["training", 50], ["training", 65], ["training", 80], ["deploying", 100], ["deploying", 100]]);
    assert.deepEqual(events.filter((e) => e.type === "state").map((e) => (e.type === "state" ? e.state : "")), ["Queued", "Running", "Completed"]);
    assert.equal(done.lastSeq, events.length);
    assert.deepEqual((await queue.readEvents(job.id, { afterSeq: events.length - 2 })).map((e) => e.seq), [events.length - 1, events.length]);
  });

  it("cancels a queued job at once", async () => {
    const job = await queue.submit({ kind: "noop", config: {} });
    const cancelled = await queue.cancel(job.id);
    assert.equal(cancelled.state, "Cancelled");
    assert.equal(cancelled.error, "Job was cancelled");
    await assert.rejects(queue.cancel(job.id), (e: unknown) => isTrainsetError(e, "CONFLICT") && /already Cancelled/.test((e as Error).message));
    await worker({ once: true }).run();
    assert.equal((await queue.get(job.id)).state, "Cancelled");
  });

  it("cancels a running job through its signal", async () => {
    const job = await queue.submit({ kind: "noop", config: { ms: 60_000, steps: 600 } });
    const w = worker();
    const running = w.run();
    for (let i = 0; i < 200 && (await queue.get(job.id)).state !== "Running"; i++) await new Promise((r) => setTimeout(r, 25));
    await queue.cancel(job.id);
    const events = [];
    for await (const e of (await import("../../../kernel/src/jobs/job-events.js")).followJobEvents(queue, job.id)) events.push(e);
    const end = await queue.get(job.id);
    assert.equal(end.state, "Cancelled");
    assert.equal(end.error, "Job was cancelled");
    assert.equal(events.at(-1)?.type, "state");
    await w.stop();
    await running;
  });

  it("lists jobs by state and user, newest first", async () => {
    const a = await queue.submit({ kind: "noop", config: {}, user: "ana" });
    const b = await queue.submit({ kind: "noop", config: {}, user: "bo" });
    const c = await queue.submit({ kind: "noop", config: {}, user: "ana" });
    await queue.cancel(c.id);
    assert.deepEqual((await queue.list()).map((j) => j.id), [c.id, b.id, a.id]);
    assert.deepEqual((await queue.list({ user: "ana" })).map((j) => j.id), [c.id, a.id]);
    assert.deepEqual((await queue.list({ state: "Queued", user: "ana" })).map((j) => j.id), [a.id]);
  });

  it("returns the first job for a repeated request id", async () => {
    const a = await queue.submit({ kind: "noop", config: {}, requestId: "req-1" });
    const b = await queue.submit({ kind: "noop", config: {}, requestId: "req-1" });
    assert.equal(b.id, a.id);
    assert.equal((await queue.list()).length, 1);
  });

  it("refuses an unknown kind, a bad user id and an unknown job id", async () => {
    await assert.rejects(queue.submit({ kind: "nope" as "noop", config: {} }), /kind "nope" is not one of/);
    await assert.rejects(queue.submit({ kind: "noop", config: {}, user: "../x" }), /UserId "..\/x" contains a path separator/);
    await assert.rejects(queue.get("j-20260101-000000000-deadbeef"), /Training job j-20260101-000000000-deadbeef does not exist/);
    await assert.rejects(queue.get("../../etc"), (e: unknown) => isTrainsetError(e, "NOT_FOUND"));
  });

  it("runs a Queued job whose index entry was lost in a crash", async () => {
    const job = await queue.submit({ kind: "noop", config: {} });
    await rm(join(tmp(), "jobs", "queued", job.id));
    await worker({ once: true }).run();
    assert.equal((await queue.get(job.id)).state, "Completed");
  });

  it("skips a torn last event line and cuts it off on the next append", async () => {
    const job = await queue.submit({ kind: "noop", config: {} });
    await appendFile(join(tmp(), "jobs", job.id, "events.jsonl"), '{"seq":2,"type":"lo');
    assert.deepEqual((await queue.readEvents(job.id)).map((e) => e.seq), [1]);
    await queue.cancel(job.id);
    const events = await queue.readEvents(job.id);
    assert.deepEqual(events.map((e) => [e.seq, e.type]), [[1, "state"], [2, "state"]]);
    assert.ok((await readFile(join(tmp(), "jobs", job.id, "events.jsonl"), "utf8")).endsWith("}\n"));
  });

  it("waits for new events and returns none once the job has ended", async () => {
    const job = await queue.submit({ kind: "noop", config: { ms: 50 } });
    const waiting = queue.waitForEvents(job.id, { afterSeq: 1, timeoutMs: 60_000 });
    const w = worker({ once: true });
    const [events] = await Promise.all([waiting, w.run()]);
    assert.ok(events.length > 0 && events.every((e) => e.seq > 1));
    const last = (await queue.get(job.id)).lastSeq;
    assert.deepEqual(await queue.waitForEvents(job.id, { afterSeq: last, timeoutMs: 60_000 }), []);
  });
});
