import { strict as assert } from "node:assert";
import { matchesJobFilter, newJobRecord, phasePercent, sortAndLimitJobs, validateSubmission } from "../../../kernel/src/jobs/job-queue.js";
import { runJobHandler } from "../../../kernel/src/jobs/job-runner.js";
import type { JobEventBody, JobRecord } from "../../../kernel/src/jobs/job-queue.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";

describe("phasePercent()", () => {
  it("maps fractions into the seed's bands 0-10, 10-20, 20-80, 80-100", () => {
    assert.deepEqual([phasePercent("loading", 0), phasePercent("loading", 1), phasePercent("preparing", 0.5), phasePercent("training", 0.5), phasePercent("deploying", 1)], [0, 10, 15, 50, 100]);
  });
  it("clamps fractions outside 0..1 and NaN", () => {
    assert.deepEqual([phasePercent("training", -1), phasePercent("training", 7), phasePercent("training", Number.NaN)], [20, 80, 20]);
  });
});

describe("validateSubmission()", () => {
  it("fills the default user and attempts", () => {
    assert.deepEqual(validateSubmission({ kind: "noop", config: {} }), { kind: "noop", config: {}, user: "default-user", maxAttempts: 3 });
  });
  it("names the field of every bad input", () => {
    const cases: [unknown, RegExp][] = [
      [{ kind: "train", config: {} }, /^Cannot submit job: kind "train" is not one of multilabel-train, frame-importance-train, noop$/],
      [{ kind: "noop", config: [] }, /config must be a JSON object/],
      [{ kind: "noop", config: {}, user: "" }, /^Cannot submit job: UserId cannot be null or empty$/],
      [{ kind: "noop", config: {}, user: "a/b" }, /contains a path separator or NUL/],
      [{ kind: "noop", config: {}, user: ".." }, /contains "\.\.", which could leave the store/],
      [{ kind: "noop", config: {}, maxAttempts: 0 }, /maxAttempts must be an integer 1\.\.100, got 0/],
      [{ kind: "noop", config: {}, requestId: "a b" }, /requestId must be 1-128 characters/],
    ];
    for (const [input, message] of cases) assert.throws(() => validateSubmission(input as never), (e: unknown) => e instanceof TrainsetError && e.code === "VALIDATION_ERROR" && message.test(e.message));
  });
});

describe("matchesJobFilter() and sortAndLimitJobs()", () => {
  const at = (id: string, createdAt: string, user: string): JobRecord => ({ ...newJobRecord(id, { kind: "noop", config: {}, user }), createdAt });
  it("filters by state list and user and sorts newest first", () => {
    const jobs = [at("a", "2026-01-01T00:00:00Z", "ana"), at("b", "2026-01-02T00:00:00Z", "bo"), at("c", "2026-01-03T00:00:00Z", "ana")];
    assert.deepEqual(jobs.filter((j) => matchesJobFilter(j, { state: ["Queued", "Running"], user: "ana" })).map((j) => j.id), ["a", "c"]);
    assert.equal(matchesJobFilter(jobs[0] as JobRecord, { state: "Completed" }), false);
    assert.deepEqual(sortAndLimitJobs(jobs, 2).map((j) => j.id), ["c", "b"]);
  });
});

describe("runJobHandler()", () => {
  const job = newJobRecord("j", { kind: "noop", config: {} });
  const run = async (handler: Parameters<typeof runJobHandler>[1]["handler"], abort?: string) => {
    const controller = new AbortController();
    if (abort !== undefined) controller.abort(abort);
    const events: JobEventBody[] = [];
    const outcome = await runJobHandler(job, { handler, storeRoot: "/s", workerId: "w", signal: controller.signal, emit: (e) => events.push(e) });
    return { outcome, events };
  };

  it("completes with the handler's result and never lets progress go backwards", async () => {
    const { outcome, events } = await run((_job, ctx) => {
      ctx.progress("training", 0.5);
      ctx.progress("loading", 1, "late loading tick");
      ctx.epoch(1, 2, { loss: 0.5, bad: Number.NaN });
      return Promise.resolve({ ok: true });
    });
    assert.deepEqual(outcome, { state: "Completed", result: { ok: true } });
    assert.deepEqual(events, [
      { type: "progress", progress: { phase: "training", percent: 50, message: "training" } },
      { type: "progress", progress: { phase: "training", percent: 50, message: "late loading tick" } },
      { type: "epoch", epoch: 1, epochs: 2, metrics: { loss: 0.5 } },
    ]);
  });

  it("fails with the thrown message, and ends Cancelled when the signal fired", async () => {
    assert.deepEqual((await run(() => Promise.reject(new Error("disk full")))).outcome, { state: "Failed", error: "disk full" });
    assert.deepEqual((await run(() => Promise.reject(new Error("stopped")), "Job was cancelled")).outcome, { state: "Cancelled", error: "Job was cancelled" });
    assert.deepEqual((await run(() => Promise.reject(new TrainsetError("ABORTED", "Cannot train: it was cancelled")))).outcome, { state: "Cancelled", error: "Cannot train: it was cancelled" });
  });

  it("fails a job whose kind has no handler on this worker", async () => {
    assert.deepEqual((await run(undefined)).outcome, { state: "Failed", error: 'Cannot run job j: worker w has no handler for kind "noop"' });
  });
});
