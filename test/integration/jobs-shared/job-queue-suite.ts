/**
 * The behaviour every job-queue backend must share, written once and run against each backend
 * (file queue, Redis queue) with a factory that opens a fresh, empty queue per test.
 */
import { strict as assert } from "node:assert";
import { followJobEvents } from "../../../kernel/src/jobs/job-events.js";
import { noopHandler } from "../../../kernel/src/jobs/handlers/noop.js";
import type { JobEvent, JobQueue, JobRecord, JobWorker, JobWorkerOptions } from "../../../kernel/src/jobs/job-queue.js";
import { isTrainsetError } from "../../../kernel/src/util/errors.js";

/** Opens queues for the suite; each `fresh()` starts an empty namespace, `reopen()` the same one again. */
export interface JobQueueFactory {
  /** A new empty queue (and store root) for the next test. */
  fresh(): Promise<{ queue: JobQueue; storeRoot: string; reopen: () => Promise<JobQueue> }>;
}

/** Polls until `check` holds (at most ~20 s). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("condition not reached within 20 s");
}

const stateNames = (events: readonly JobEvent[]): string[] => events.flatMap((e) => (e.type === "state" ? [e.state] : []));

/** Registers the shared job-queue tests under `describe(name)`. */
export function describeJobQueueSuite(name: string, factory: JobQueueFactory): void {
  describe(`JobQueue behaviour (${name})`, function () {
    this.timeout(60_000);
    let queue: JobQueue;
    let storeRoot: string;
    let reopen: () => Promise<JobQueue>;
    let workers: JobWorker[] = [];
    const opened: JobQueue[] = [];
    beforeEach(async () => {
      ({ queue, storeRoot, reopen } = await factory.fresh());
      opened.push(queue);
    });
    afterEach(async () => {
      await Promise.all(workers.map((w) => w.stop("cancel")));
      workers = [];
      await Promise.all(opened.splice(0).map((q) => q.close()));
    });
    const worker = (options: Partial<JobWorkerOptions> = {}, on: JobQueue = queue): JobWorker => {
      const w = on.createWorker({ handlers: { noop: noopHandler }, storeRoot, ...options });
      workers.push(w);
      return w;
    };

    it("records a submitted job as Queued with its first event before submit returns", async () => {
      const job = await queue.submit({ kind: "noop", config: { ms: 1 }, user: "ana" });
      const other = await reopen();
      opened.push(other);
      const seen = await other.get(job.id);
      assert.equal(seen.state, "Queued");
      assert.equal(seen.user, "ana");
      assert.equal(seen.attempts, 0);
      assert.deepEqual((await other.readEvents(job.id)).map((e) => [e.seq, e.type]), [[1, "state"]]);
    });

    it("runs a job through the seed's phases with sequence numbers 1, 2, 3, …", async () => {
      const job = await queue.submit({ kind: "noop", config: { ms: 20, steps: 4 } });
      await worker({ once: true }).run();
      const done = await queue.get(job.id);
      assert.equal(done.state, "Completed");
      assert.equal(done.attempts, 1);
      assert.deepEqual(done.result, { steps: 4, ms: 20 });
      assert.deepEqual(done.progress, { phase: "deploying", percent: 100, message: "Completed" });
      const events = await queue.readEvents(job.id);
      assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
      const percents = events.flatMap((e) => (e.type === "progress" ? [[e.progress.phase, e.progress.percent]] : []));
      assert.deepEqual(percents, [["loading", 10], ["preparing", 20], ["training", 35], ["training", 50], ["training", 65], ["training", 80], ["deploying", 100], ["deploying", 100]]);
      assert.deepEqual(stateNames(events), ["Queued", "Running", "Completed"]);
      assert.equal(done.lastSeq, events.length);
      assert.deepEqual(done.metrics, { epoch: 4, epochs: 4, step: 4 });
      assert.deepEqual((await queue.readEvents(job.id, { afterSeq: events.length - 2 })).map((e) => e.seq), [events.length - 1, events.length]);
      assert.deepEqual((await queue.readEvents(job.id, { afterSeq: 1, limit: 2 })).map((e) => e.seq), [2, 3]);
    });

    it("fails a job whose handler throws, with the handler's message", async () => {
      const job = await queue.submit({ kind: "noop", config: { fail: "the dataset is unreadable" } });
      await worker({ once: true }).run();
      const done = await queue.get(job.id);
      assert.equal(done.state, "Failed");
      assert.equal(done.error, "the dataset is unreadable");
      assert.deepEqual(stateNames(await queue.readEvents(job.id)), ["Queued", "Running", "Failed"]);
    });

    it("fails a job whose kind the worker has no handler for", async () => {
      const job = await queue.submit({ kind: "multilabel-train", config: {} });
      await worker({ once: true }).run();
      const done = await queue.get(job.id);
      assert.equal(done.state, "Failed");
      assert.match(done.error ?? "", /has no handler for kind "multilabel-train"/);
    });

    it("cancels a queued job at once and refuses to cancel it twice", async () => {
      const job = await queue.submit({ kind: "noop", config: {} });
      const cancelled = await queue.cancel(job.id);
      assert.equal(cancelled.state, "Cancelled");
      assert.equal(cancelled.error, "Job was cancelled");
      await assert.rejects(queue.cancel(job.id), (e: unknown) => isTrainsetError(e, "CONFLICT") && /already Cancelled/.test((e as Error).message));
      await worker({ once: true }).run();
      const after = await queue.get(job.id);
      assert.equal(after.state, "Cancelled");
      assert.equal(after.attempts, 0);
    });

    it("cancels a running job from another queue handle through the handler's signal", async () => {
      const job = await queue.submit({ kind: "noop", config: { ms: 60_000, steps: 600 } });
      const w = worker();
      const running = w.run();
      await until(async () => (await queue.get(job.id)).state === "Running");
      const other = await reopen();
      opened.push(other);
      const requested = await other.cancel(job.id, { reason: "Stopped by ana" });
      assert.ok(requested.cancelRequestedAt !== undefined || requested.state === "Cancelled");
      const events: JobEvent[] = [];
      for await (const e of followJobEvents(queue, job.id)) events.push(e);
      const end = await queue.get(job.id);
      assert.equal(end.state, "Cancelled");
      assert.equal(end.error, "Stopped by ana");
      assert.deepEqual(stateNames(events).slice(-1), ["Cancelled"]);
      assert.ok((end.progress.percent ?? 0) < 80, "the handler stopped before the end of training");
      await w.stop();
      await running;
    });

    it("lists jobs by state, user and kind, newest first, with a limit", async () => {
      const a = await queue.submit({ kind: "noop", config: {}, user: "ana" });
      const b = await queue.submit({ kind: "noop", config: {}, user: "bo" });
      const c = await queue.submit({ kind: "noop", config: {}, user: "ana" });
      await queue.cancel(c.id);
      assert.deepEqual((await queue.list()).map((j) => j.id), [c.id, b.id, a.id]);
      assert.deepEqual((await queue.list({ user: "ana" })).map((j) => j.id), [c.id, a.id]);
      assert.deepEqual((await queue.list({ state: "Queued", user: "ana" })).map((j) => j.id), [a.id]);
      assert.deepEqual((await queue.list({ state: ["Queued", "Cancelled"], limit: 2 })).map((j) => j.id), [c.id, b.id]);
      assert.deepEqual(await queue.list({ kind: "multilabel-train" }), []);
    });

    it("returns the first job for a repeated request id instead of recording a second one", async () => {
      const a = await queue.submit({ kind: "noop", config: {}, requestId: "req-1" });
      const b = await queue.submit({ kind: "noop", config: {}, requestId: "req-1" });
      assert.equal(b.id, a.id);
      assert.equal((await queue.list()).length, 1);
      await worker({ once: true }).run();
      const c = await queue.submit({ kind: "noop", config: {}, requestId: "req-1" });
      assert.equal(c.id, a.id);
      assert.equal(c.state, "Completed");
      assert.equal((await queue.list()).length, 1);
    });

    it("refuses an unknown kind, a bad user id and an unknown job id with typed errors", async () => {
      await assert.rejects(queue.submit({ kind: "nope" as "noop", config: {} }), (e: unknown) => isTrainsetError(e, "VALIDATION_ERROR") && /kind "nope" is not one of/.test((e as Error).message));
      await assert.rejects(queue.submit({ kind: "noop", config: {}, user: "../x" }), (e: unknown) => isTrainsetError(e, "VALIDATION_ERROR") && (e as { field?: string }).field === "user");
      await assert.rejects(queue.get("j-20260101-000000000-deadbeef"), /Training job j-20260101-000000000-deadbeef does not exist/);
      await assert.rejects(queue.get("../../etc"), (e: unknown) => isTrainsetError(e, "NOT_FOUND"));
      await assert.rejects(queue.cancel("j-20260101-000000000-deadbeef"), (e: unknown) => isTrainsetError(e, "NOT_FOUND"));
      await assert.rejects(queue.readEvents("j-20260101-000000000-deadbeef"), (e: unknown) => isTrainsetError(e, "NOT_FOUND"));
    });

    it("keeps queued jobs across a restart: a worker on a reopened queue runs them", async () => {
      const jobs = [await queue.submit({ kind: "noop", config: {} }), await queue.submit({ kind: "noop", config: {} })];
      await queue.close();
      const again = await reopen();
      opened.push(again);
      await worker({ once: true }, again).run();
      for (const job of jobs) assert.equal((await again.get(job.id)).state, "Completed");
    });

    it("runs one job at a time by default and several with a higher concurrency", async () => {
      const overlaps = async (concurrency: number | undefined): Promise<boolean> => {
        const jobs: JobRecord[] = [];
        for (let i = 0; i < 3; i++) jobs.push(await queue.submit({ kind: "noop", config: { ms: 1500, steps: 3 } }));
        await worker(concurrency === undefined ? { once: true } : { once: true, concurrency }).run();
        const done = await Promise.all(jobs.map((j) => queue.get(j.id)));
        assert.deepEqual(done.map((j) => j.state), ["Completed", "Completed", "Completed"]);
        const spans = done.map((j) => [Date.parse(j.startedAt ?? ""), Date.parse(j.finishedAt ?? "")] as const).sort((x, y) => x[0] - y[0]);
        return spans.some((s, i) => i > 0 && s[0] < (spans[i - 1]?.[1] ?? 0));
      };
      assert.equal(await overlaps(undefined), false);
      assert.equal(await overlaps(3), true);
    });

    it("waits for the next event and returns nothing once the job is over", async () => {
      const job = await queue.submit({ kind: "noop", config: { ms: 300, steps: 3 } });
      const waiting = queue.waitForEvents(job.id, { afterSeq: 1, timeoutMs: 20_000 });
      const run = worker({ once: true }).run();
      const events = await waiting;
      assert.ok(events.length > 0 && events[0]?.seq === 2);
      await run;
      const end = await queue.get(job.id);
      assert.deepEqual(await queue.waitForEvents(job.id, { afterSeq: end.lastSeq, timeoutMs: 20_000 }), []);
      assert.deepEqual(await queue.waitForEvents(job.id, { afterSeq: 0, limit: 1 }).then((e) => e.map((x) => x.seq)), [1]);
    });

    it("requeues the running job when its worker stops in requeue mode", async () => {
      const job = await queue.submit({ kind: "noop", config: { ms: 60_000, steps: 600 } });
      const w = queue.createWorker({ handlers: { noop: noopHandler }, storeRoot });
      const running = w.run();
      await until(async () => (await queue.get(job.id)).state === "Running");
      await w.stop("requeue");
      await running;
      const back = await queue.get(job.id);
      assert.equal(back.state, "Queued");
      assert.equal(back.attempts, 0);
      await queue.cancel(job.id);
    });
  });
}
