import { strict as assert } from "node:assert";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { openFileJobQueue, type FileJobQueue } from "../../../kernel/src/jobs/file-queue.js";
import type { JobEvent, JobRecord } from "../../../kernel/src/jobs/job-queue.js";
import { useTempDir } from "../../support/tmp.js";
import { killAll, runCliProcess, startCli, startScript, waitFor } from "./processes.js";

function states(events: JobEvent[]): string[] {
  return events.flatMap((e) => (e.type === "state" ? [e.state] : []));
}

describe("file job queue with real processes", function () {
  this.timeout(240_000);
  const tmp = useTempDir("trainset-jobs-proc-");
  let queue: FileJobQueue;
  beforeEach(async () => {
    queue = await openFileJobQueue(join(tmp(), "jobs"));
  });
  afterEach(killAll);

  const running = (id: string) => async (): Promise<JobRecord | undefined> => {
    const job = await queue.get(id);
    return job.state === "Running" && job.progress.phase === "training" ? job : undefined;
  };

  it("fails a job whose worker was killed with SIGKILL, and a restarted worker still runs the queued ones", async () => {
    const long = await queue.submit({ kind: "noop", config: { ms: 600_000, steps: 6000 } });
    const worker = startCli(["worker", "--store", tmp()]);
    await waitFor(running(long.id), "the job to run", worker);
    const behind = await queue.submit({ kind: "noop", config: { ms: 10 } });
    worker.child.kill("SIGKILL");
    await worker.exited;
    assert.equal((await queue.get(long.id)).state, "Running", "nothing changes the record until a worker looks");

    const restart = await runCliProcess(["worker", "--store", tmp(), "--once"]);
    assert.equal(restart.code, 0, restart.stderr);
    const failed = await queue.get(long.id);
    assert.equal(failed.state, "Failed");
    assert.match(failed.error ?? "", /^Job was interrupted: worker .* \(pid \d+\) is no longer running \(killed or crashed\) while it was running; resubmit it, or run workers with --requeue-interrupted/);
    assert.deepEqual(states(await queue.readEvents(long.id)), ["Queued", "Running", "Failed"]);
    assert.equal((await queue.get(behind.id)).state, "Completed");
    assert.deepEqual(await readdir(join(tmp(), "jobs", "running")), []);
  });

  it("re-queues the killed worker's job with --requeue-interrupted and runs it again", async () => {
    const job = await queue.submit({ kind: "noop", config: { ms: 3000, steps: 30 }, maxAttempts: 2 });
    const worker = startCli(["worker", "--store", tmp()]);
    await waitFor(running(job.id), "the job to run", worker);
    worker.child.kill("SIGKILL");
    await worker.exited;
    const restart = await runCliProcess(["worker", "--store", tmp(), "--once", "--requeue-interrupted"]);
    assert.equal(restart.code, 0, restart.stderr);
    const done = await queue.get(job.id);
    assert.equal(done.state, "Completed");
    assert.equal(done.attempts, 2);
    const events = await queue.readEvents(job.id);
    assert.deepEqual(states(events), ["Queued", "Running", "Queued", "Running", "Completed"]);
    const requeued = events.find((e) => e.type === "state" && e.state === "Queued" && e.seq > 1);
    assert.match(requeued?.type === "state" ? (requeued.reason ?? "") : "", /^Requeued: worker .* is no longer running .*\(attempt 1 of 2 interrupted\)$/);
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), "sequence numbers stay gapless across the restart");
  });

  it("keeps every job exactly once with 4 concurrent submitters and 2 workers", async () => {
    const workers = [startCli(["worker", "--store", tmp(), "--concurrency", "2", "--quiet"]), startCli(["worker", "--store", tmp(), "--quiet"])];
    for (const w of workers) await waitFor(() => Promise.resolve(/ on file queue /.test(w.stderr()) ? true : undefined), "the worker to start", w);
    const submitters = [0, 1, 2, 3].map((k) => startScript("submit-many.ts", [join(tmp(), "jobs"), "12", `s${k}`]));
    const codes = await Promise.all(submitters.map((s) => s.exited));
    assert.deepEqual(codes, [0, 0, 0, 0], submitters.map((s) => s.stderr()).join("\n"));
    const ids = submitters.flatMap((s) => s.stdout().trim().split("\n"));
    assert.equal(ids.length, 48);
    assert.equal(new Set(ids).size, 48);
    await waitFor(async () => ((await queue.list({ state: "Completed" })).length === 48 ? true : undefined), "all jobs to complete");
    for (const w of workers) w.child.kill("SIGTERM");
    assert.deepEqual(await Promise.all(workers.map((w) => w.exited)), [0, 0]);
    const all = await queue.list();
    assert.equal(all.length, 48);
    assert.deepEqual(all.map((j) => j.id).sort(), [...ids].sort());
    for (const job of all) {
      const onDisk = JSON.parse(await readFile(join(tmp(), "jobs", job.id, "job.json"), "utf8")) as JobRecord;
      assert.equal(onDisk.id, job.id);
      const events = await queue.readEvents(job.id);
      assert.deepEqual(states(events), ["Queued", "Running", "Completed"], `job ${job.id} ran exactly once`);
      assert.equal(job.attempts, 1);
    }
    assert.equal(new Set(all.map((j) => j.workerId)).size, 2, "both workers took jobs");
  });

  it("cancels a running job from another process; the worker ends it Cancelled", async () => {
    const job = await queue.submit({ kind: "noop", config: { ms: 600_000, steps: 6000 } });
    const worker = startCli(["worker", "--store", tmp()]);
    await waitFor(running(job.id), "the job to run", worker);
    const cancel = await runCliProcess(["jobs", "cancel", job.id, "--store", tmp()]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, /cancel requested/);
    const end = await waitFor(async () => ((await queue.get(job.id)).state === "Cancelled" ? queue.get(job.id) : undefined), "the job to end", worker);
    assert.equal(end.error, "Job was cancelled");
    const events = await queue.readEvents(job.id);
    assert.deepEqual(states(events), ["Queued", "Running", "Cancelled"]);
    const logs = await runCliProcess(["jobs", "logs", job.id, "--store", tmp()]);
    assert.match(logs.stdout, /warn Cancel requested: Job was cancelled\n/);
    assert.match(logs.stdout, /state Cancelled: Job was cancelled\n$/);
    worker.child.kill("SIGTERM");
    assert.equal(await worker.exited, 0);
  });

  it("puts the running job back in the queue when the worker gets SIGTERM", async () => {
    const job = await queue.submit({ kind: "noop", config: { ms: 600_000, steps: 6000 } });
    const worker = startCli(["worker", "--store", tmp()]);
    await waitFor(running(job.id), "the job to run", worker);
    worker.child.kill("SIGTERM");
    assert.equal(await worker.exited, 0, worker.stderr());
    const back = await queue.get(job.id);
    assert.equal(back.state, "Queued");
    assert.equal(back.attempts, 0);
    assert.match(worker.stderr(), /stopping \(requeue running jobs\)/);
    assert.deepEqual(states(await queue.readEvents(job.id)), ["Queued", "Running", "Queued"]);
    assert.deepEqual(await readdir(join(tmp(), "jobs", "queued")), [job.id]);
  });
});
