import assert from "node:assert/strict";
import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { api, startTestServer, stopTestServer, uploadRatings, type TestServer } from "./server-fixture.js";
import { assertProblem } from "./problem-assert.js";

describe("trainset serve: errors as problem details", function () {
  this.timeout(60_000);
  let t: TestServer | undefined;
  const s = (): TestServer => t as TestServer;
  before(async () => {
    t = await startTestServer({ bodyLimit: 64 * 1024 });
  });
  after(async () => stopTestServer(t));

  it("answers 401 without a token and with an unknown token, and /healthz without one", async () => {
    assertProblem(await api(s(), "GET", "/api/ml/annotations/stats", { token: null }), 401, "Unauthorized", /bearer token/);
    const bad = await api(s(), "GET", "/api/ml/annotations/stats", { token: "tsk_not-a-real-token-at-all" });
    assertProblem(bad, 401, "Unauthorized", /not known/);
    assert.equal(bad.headers.get("www-authenticate"), 'Bearer realm="trainset"');
    const health = await api(s(), "GET", "/healthz", { token: null });
    assert.equal(health.status, 200);
    assert.equal(health.body["status"], "ok");
  });

  it("writes the correlationId of a refused request into its log line", async () => {
    const answer = await api(s(), "GET", "/api/ml/train/nope/status");
    assertProblem(answer, 404, "Job Not Found", /Training job nope does not exist/);
    const line = s().logs().find((l) => l["correlationId"] === answer.body["correlationId"] && l["msg"] === "request refused");
    assert.ok(line, "a log line with the correlationId");
    assert.equal(line["status"], 404);
  });

  it("refuses bad annotation batches with the seed's messages before storing anything", async () => {
    const rating = await api(s(), "POST", "/api/ml/annotations/upload", { body: { annotations: [{ framePath: "a.jpg", rating: 0.5 }, { framePath: "b.jpg", rating: 1.5 }] } });
    assertProblem(rating, 400, "Invalid Annotation Data", /Rating must be between 0\.0 and 1\.0, got 1\.5/);
    assertProblem(await api(s(), "POST", "/api/ml/annotations/upload", { body: { annotations: [{ framePath: "", rating: 0.5 }] } }), 400, "Invalid Annotation Data", /FramePath cannot be null or empty/);
    assertProblem(await api(s(), "POST", "/api/ml/annotations/upload", { body: { annotations: [{ framePath: "a.jpg", rating: 0.5, userId: "bob" }] } }), 400, undefined, /unknown field "userId"/);
    assertProblem(await api(s(), "POST", "/api/ml/annotations/upload", { body: { annotations: [{ framePath: "a.jpg", rating: "0.5" }] } }), 400, undefined, /Rating must be/);
    assertProblem(await api(s(), "POST", "/api/ml/annotations/upload", { raw: "{not json" }), 400, "Invalid Request", /not valid JSON/);
    const stats = await api(s(), "GET", "/api/ml/annotations/stats");
    assert.equal(stats.body["totalAnnotations"], 0);
  });

  it("answers 413 for a body over the limit", async () => {
    const annotations = Array.from({ length: 2000 }, (_, i) => ({ framePath: `frames/frame_${i}.jpg`, rating: 0.5 }));
    assertProblem(await api(s(), "POST", "/api/ml/annotations/upload", { body: { annotations } }), 413, "Payload Too Large");
  });

  it("answers 400 Insufficient Data when training with no annotations, 404 for unknown routes and jobs", async () => {
    assertProblem(await api(s(), "POST", "/api/ml/train/frame-importance", { token: s().tokens.bob, body: {} }), 400, "Insufficient Data", /upload annotations first/);
    assertProblem(await api(s(), "GET", "/api/ml/nothing-here"), 404, "Not Found");
    assertProblem(await api(s(), "POST", "/api/ml/train/abc123/cancel"), 404, "Job Not Found");
    assertProblem(await api(s(), "GET", "/api/ml/train/abc%20123/status"), 400);
    assertProblem(await api(s(), "GET", "/api/ml/annotations/stats?user=bob"), 400, undefined, /unknown field "user"/);
  });

  it("cancels a queued job, then answers 409 for a second cancel", async () => {
    assert.equal((await uploadRatings(s(), 20)).status, 200);
    const started = await api(s(), "POST", "/api/ml/train/frame-importance", { body: { numEpochs: 2 } });
    assert.equal(started.status, 200, started.text);
    const jobId = started.body["jobId"] as string;
    const cancelled = await api(s(), "POST", `/api/ml/train/${jobId}/cancel`);
    assert.equal(cancelled.body["state"], "Cancelled");
    assertProblem(await api(s(), "POST", `/api/ml/train/${jobId}/cancel`), 409, "Job Already Finished", /Cancelled/);
  });

  it("blocks training below 20 annotations with the seed's System Requirements Not Met body", async () => {
    const s0 = t as TestServer;
    assert.equal((await uploadRatings(s0, 5, s0.tokens.bob)).status, 200);
    const answer = await api(s0, "POST", "/api/ml/train/frame-importance", { token: s0.tokens.bob, body: {} });
    assertProblem(answer, 400, "System Requirements Not Met", /Training cannot proceed/);
    assert.ok((answer.body["errors"] as string[]).some((e) => /minimum 20 annotations/.test(e)));
    assert.ok(Array.isArray(answer.body["warnings"]) && Array.isArray(answer.body["recommendations"]));
    assert.equal((await api(s0, "DELETE", "/api/ml/annotations", { token: s0.tokens.bob })).body["removed"], true);
  });

  it("hides one user's jobs and annotations from another", async () => {
    const mine = await api(s(), "GET", "/api/ml/train/jobs");
    const jobs = mine.body["jobs"] as Array<{ jobId: string }>;
    assert.ok(jobs.length >= 1);
    const id = jobs[0]?.jobId as string;
    assertProblem(await api(s(), "GET", `/api/ml/train/${id}/status`, { token: s().tokens.bob }), 404, "Job Not Found");
    assertProblem(await api(s(), "POST", `/api/ml/train/${id}/cancel`, { token: s().tokens.bob }), 404, "Job Not Found");
    assertProblem(await api(s(), "GET", `/api/ml/train/${id}/events`, { token: s().tokens.bob }), 404, "Job Not Found");
    assert.deepEqual((await api(s(), "GET", "/api/ml/train/jobs", { token: s().tokens.bob })).body["jobs"], []);
    assert.equal((await api(s(), "GET", "/api/ml/annotations/stats", { token: s().tokens.bob })).body["totalAnnotations"], 0);
    assert.equal((await api(s(), "GET", "/api/ml/annotations/stats")).body["userId"], "alice");
    assertProblem(await api(s(), "GET", `/api/ml/train/${id}/events`, { headers: { "last-event-id": "abc" } }), 400, "Invalid Request", /Last-Event-ID/);
  });

  it("refuses paths outside the roots (../, absolute, %2e%2e, a symlink out) with 400 and touches nothing", async () => {
    const outside = join(s().dir, "outside");
    await mkdir(outside);
    await symlink(outside, join(s().root, "escape"));
    await writeFile(join(s().root, "data.csv"), "x\n");
    const cases: Array<[string, RegExp]> = [
      ["../outside/data.csv", /"\.\."/],
      [join(outside, "data.csv"), /outside the allowed roots/],
      ["%2e%2e/outside/data.csv", /percent-encoded/],
      ["escape/data.csv", /symbolic link/],
      ["sub/%2E%2E%2F%2E%2E/data.csv", /percent-encoded/],
    ];
    for (const [dataset, why] of cases) {
      assertProblem(await api(s(), "POST", "/api/ml/train/multilabel", { token: s().tokens.bob, body: { dataset } }), 400, "Path Not Allowed", why);
      assertProblem(await api(s(), "POST", "/api/media/videos/export-annotated/", { body: { video_id: 1, output_dir: dataset } }), 400, "Path Not Allowed", why);
      assertProblem(await api(s(), "POST", "/api/ml/annotations/upload", { token: s().tokens.bob, body: { annotations: [{ framePath: dataset, rating: 0.5 }] } }), 400, "Path Not Allowed", why);
    }
    assert.deepEqual(await readdir(outside), []);
    assert.deepEqual((await api(s(), "GET", "/api/ml/train/jobs", { token: s().tokens.bob })).body["jobs"], []);
    assert.equal((await api(s(), "GET", "/api/ml/annotations/stats", { token: s().tokens.bob })).body["totalAnnotations"], 0);
  });
});

describe("trainset serve: job submission rate limit", function () {
  this.timeout(60_000);
  let t: TestServer | undefined;
  before(async () => {
    t = await startTestServer({ jobRateLimit: { max: 2, windowMs: 60_000 } });
  });
  after(async () => stopTestServer(t));

  it("answers 429 after max submissions per user in the window, counted per user", async () => {
    const s = t as TestServer;
    assert.equal((await uploadRatings(s, 20)).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await api(s, "POST", "/api/ml/train/frame-importance", { body: {} })).status, 200);
    const refused = await api(s, "POST", "/api/ml/train/frame-importance", { body: {} });
    assertProblem(refused, 429, "Too Many Requests", /At most 2 job submissions per user/);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    const listed = await api(s, "GET", "/api/ml/train/jobs");
    assert.equal((listed.body["jobs"] as unknown[]).length, 2);
    // Bob has his own budget (and no annotations).
    assertProblem(await api(s, "POST", "/api/ml/train/frame-importance", { token: s.tokens.bob, body: {} }), 400, "Insufficient Data");
  });
});

describe("trainset serve: Advanced Mode off", function () {
  this.timeout(60_000);
  let t: TestServer | undefined;
  before(async () => {
    t = await startTestServer({ advancedMode: false });
  });
  after(async () => stopTestServer(t));

  it("answers 403 on every ML endpoint and still serves health", async () => {
    const s = t as TestServer;
    for (const [method, path] of [["GET", "/api/ml/annotations/stats"], ["POST", "/api/ml/train/frame-importance"], ["GET", "/api/ml/train/preflight"], ["POST", "/api/ml/model/revert"]] as const) {
      assertProblem(await api(s, method, path, method === "POST" ? { body: {} } : {}), 403, "Advanced Mode Required", /Advanced Mode/);
    }
    assert.equal((await api(s, "GET", "/healthz", { token: null })).status, 200);
  });
});
