import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { ModelRegistry } from "../../../kernel/src/models/model-registry.js";
import { writeTinyOnnxBackbone } from "../../../kernel/src/train/tiny-onnx-backbone.js";
import { seededRandom } from "../../../kernel/src/util/seeded-random.js";
import { api, startTestServer, stopTestServer, type TestServer } from "./server-fixture.js";
import { assertProblem } from "./problem-assert.js";
import { readEvents, type SseEvent } from "./sse-client.js";

/** 24 frames whose importance is their brightness. */
async function makeFrames(root: string): Promise<Array<{ framePath: string; rating: number }>> {
  await mkdir(join(root, "frames"), { recursive: true });
  const random = seededRandom(5);
  const out: Array<{ framePath: string; rating: number }> = [];
  for (let i = 0; i < 24; i++) {
    const rating = Math.round(random() * 100) / 100;
    const v = Math.round(rating * 200 + 20);
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: v, g: Math.round(random() * 60), b: 255 - v } } }).png().toFile(join(root, "frames", `f${i}.png`));
    out.push({ framePath: `frames/f${i}.png`, rating });
  }
  return out;
}

function seqs(events: readonly SseEvent[]): number[] {
  return events.filter((e) => e.id !== undefined).map((e) => Number(e.id));
}

async function waitForState(t: TestServer, jobId: string, states: readonly string[]): Promise<Record<string, unknown>> {
  for (;;) {
    const status = await api(t, "GET", `/api/ml/train/${jobId}/status`);
    if (states.includes(status.body["state"] as string)) return status.body;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("trainset serve: seed 004 usage examples end to end (real worker process)", function () {
  this.timeout(300_000);
  let t: TestServer | undefined;
  const s = (): TestServer => t as TestServer;
  let frames: Array<{ framePath: string; rating: number }> = [];
  let firstJob = "";
  let events: SseEvent[] = [];

  before(async () => {
    t = await startTestServer({ spawnWorker: true });
    frames = await makeFrames(s().root);
    await writeTinyOnnxBackbone(join(s().root, "tiny.onnx"), { channels: 8 });
  });
  after(async () => stopTestServer(t));

  it("1-2: uploads annotations and reports the caller's statistics", async () => {
    const up = await api(s(), "POST", "/api/ml/annotations/upload", { body: { annotations: frames } });
    assert.equal(up.status, 200, up.text);
    assert.deepEqual([up.body["userId"], up.body["stored"]], ["alice", 24]);
    const stats = await api(s(), "GET", "/api/ml/annotations/stats");
    assert.equal(stats.body["userId"], "alice");
    assert.equal(stats.body["totalAnnotations"], 24);
    const mean = frames.reduce((a, f) => a + f.rating, 0) / frames.length;
    assert.ok(Math.abs((stats.body["averageRating"] as number) - mean) < 1e-9);
    assert.equal(typeof stats.body["oldestAnnotation"], "string");
    const advice = await api(s(), "GET", "/api/ml/annotations/advice");
    assert.equal(advice.status, 200, advice.text);
    assert.equal(advice.body["totalAnnotations"], 24);
    const preflight = await api(s(), "GET", "/api/ml/train/preflight");
    assert.equal(preflight.body["annotationCount"], 24);
  });

  it("3-4: starts training, streams state, progress and epoch metrics over SSE, then reports Completed", async () => {
    const started = await api(s(), "POST", "/api/ml/train/frame-importance", { body: { modelName: "frame-importance", numEpochs: 6, batchSize: 8, backbone: "tiny.onnx" } });
    assert.equal(started.status, 200, started.text);
    assert.equal(started.body["message"], "Training job submitted successfully");
    firstJob = started.body["jobId"] as string;
    const early = await api(s(), "GET", `/api/ml/train/${firstJob}/status`);
    assert.ok(["Queued", "Running"].includes(early.body["state"] as string));
    const stream = await readEvents(s(), firstJob);
    assert.equal(stream.status, 200);
    assert.match(stream.contentType, /^text\/event-stream/);
    events = stream.events;
    const ids = seqs(events);
    assert.deepEqual(ids, Array.from({ length: ids.length }, (_, i) => i + 1), "ids 1..n without gaps");
    assert.ok(events.some((e) => e.event === "state" && e.data["state"] === "Running"));
    const epochs = events.filter((e) => e.event === "epoch");
    assert.equal(epochs.length, 6);
    assert.equal(typeof (epochs[0]?.data["metrics"] as Record<string, number>)["train_loss"], "number");
    const percents = events.filter((e) => e.event === "progress").map((e) => (e.data["progress"] as { percent: number }).percent);
    assert.deepEqual(percents, [...percents].sort((a, b) => a - b), "progress never goes back");
    const end = events.at(-1);
    assert.equal(end?.event, "end");
    assert.equal(end?.data["state"], "Completed", JSON.stringify(end?.data));
    const status = await api(s(), "GET", `/api/ml/train/${firstJob}/status`);
    assert.equal(status.body["state"], "Completed");
    assert.equal(status.body["progress"], 100);
    assert.equal(status.body["modelPath"], join(s().store, "models", "frame-importance", "versions", "v1"));
    assert.equal(typeof (status.body["metrics"] as Record<string, number>)["train_loss"], "number");
    assert.equal(typeof status.body["completedAt"], "string");
  });

  it("resumes the event stream after Last-Event-ID without gaps or repeats", async () => {
    const ids = seqs(events);
    const cut = ids[Math.floor(ids.length / 2)] as number;
    const again = await readEvents(s(), firstJob, { lastEventId: cut });
    assert.deepEqual(seqs(again.events), ids.filter((i) => i > cut));
    assert.equal(again.events.at(-1)?.event, "end");
  });

  it("analyses the completed job and records it in history, statistics and the model registry", async () => {
    const analysis = await api(s(), "GET", `/api/ml/train/${firstJob}/analysis`);
    assert.equal(analysis.status, 200, analysis.text);
    assert.ok(["Accept", "Accept with caution", "Revert"].includes(analysis.body["recommendation"] as string));
    assert.notEqual((analysis.body["comparedWith"] as { version?: string } | undefined)?.version, "v1", "a job is never compared with the version it deployed itself");
    const history = await api(s(), "GET", "/api/ml/train/history");
    assert.ok((history.body["entries"] as Array<Record<string, unknown>>).some((e) => e["action"] === "train" && e["jobId"] === firstJob));
    const stats = await api(s(), "GET", "/api/ml/train/statistics");
    assert.ok((stats.body["total"] as number) >= 1);
    const models = await api(s(), "GET", "/api/ml/models");
    assert.deepEqual(models.body["models"], [{ model: "frame-importance", active: "v1", hasDefault: false, versions: ["v1"] }]);
    assertProblem(await api(s(), "GET", `/api/ml/train/${firstJob}/analysis`, { token: s().tokens.bob }), 404, "Job Not Found");
  });

  it("5: cancels a running job, which ends Cancelled and closes its event stream", async () => {
    const started = await api(s(), "POST", "/api/ml/train/frame-importance", { body: { numEpochs: 5000, batchSize: 8, backbone: "tiny.onnx", deploy: false } });
    const jobId = started.body["jobId"] as string;
    await readEvents(s(), jobId, { until: (e) => e.event === "epoch" });
    const cancel = await api(s(), "POST", `/api/ml/train/${jobId}/cancel`);
    assert.equal(cancel.status, 200, cancel.text);
    const stream = await readEvents(s(), jobId, { lastEventId: 0 });
    assert.equal(stream.events.at(-1)?.data["state"], "Cancelled");
    const status = await waitForState(s(), jobId, ["Cancelled", "Failed", "Completed"]);
    assert.equal(status["state"], "Cancelled");
    assert.match(String(status["error"]), /cancel/i);
    assertProblem(await api(s(), "GET", `/api/ml/train/${jobId}/analysis`), 400, "Analysis Not Available", /completed jobs/);
  });

  it("6: reverts to the default model and restores the backup", async () => {
    assertProblem(await api(s(), "POST", "/api/ml/model/revert"), 404, undefined, /no default version/);
    const registry = await ModelRegistry.open(s().store);
    const runDir = (await registry.getVersion("frame-importance", "v1")).source as string;
    await registry.addVersion("frame-importance", { from: runDir, version: "default" });
    const revert = await api(s(), "POST", "/api/ml/model/revert");
    assert.equal(revert.status, 200, revert.text);
    assert.equal((await registry.getActive("frame-importance"))?.version, "default");
    const restore = await api(s(), "POST", "/api/ml/model/restore-backup", { body: {} });
    assert.equal(restore.status, 200, restore.text);
    assert.equal((await registry.getActive("frame-importance"))?.version, "v1");
    const deploy = await api(s(), "POST", "/api/ml/models/frame-importance/deploy", { body: { version: "default" } });
    assert.equal(deploy.status, 200, deploy.text);
    const listing = await api(s(), "GET", "/api/ml/models/frame-importance");
    assert.equal((listing.body["active"] as Record<string, unknown>)["version"], "default");
    assertProblem(await api(s(), "POST", "/api/ml/models/nope/deploy", { body: { version: "v1" } }), 404, "Model Not Found");
  });
});
