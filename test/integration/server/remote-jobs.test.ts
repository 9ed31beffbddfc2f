import assert from "node:assert/strict";
import { cancelRemoteJob, listRemoteJobs } from "../../../extension/src/runs/remote-jobs.js";
import { api, startTestServer, stopTestServer, uploadRatings, type TestServer } from "./server-fixture.js";

describe("the extension's remote jobs client against trainset serve", function () {
  this.timeout(60_000);
  let t: TestServer | undefined;
  const s = (): TestServer => t as TestServer;
  let jobId = "";
  before(async () => {
    // Advanced Mode on, no worker: the submitted job stays Queued until cancelled.
    t = await startTestServer();
    assert.equal((await uploadRatings(s(), 20)).status, 200);
    const started = await api(s(), "POST", "/api/ml/train/frame-importance", { body: { numEpochs: 2 } });
    assert.equal(started.status, 200, started.text);
    jobId = started.body["jobId"] as string;
  });
  after(async () => stopTestServer(t));

  it("listRemoteJobs() lists the token's user's job as a queued job run", async () => {
    const runs = await listRemoteJobs(`${s().url}/`, s().tokens.alice);
    const run = runs.find((r) => r.id === jobId);
    assert.ok(run, `job ${jobId} in ${JSON.stringify(runs)}`);
    assert.equal(run.source, "job");
    assert.equal(run.dir, jobId);
    assert.equal(run.status, "Queued");
    assert.equal(run.params["kind"], "frame-importance-train");
    assert.equal(typeof run.metrics["progress_percent"], "number");
    assert.deepEqual(await listRemoteJobs(s().url, s().tokens.bob), []);
  });

  it("cancelRemoteJob() cancels it, then reports the 409 problem of a second cancel", async () => {
    const cancelled = await cancelRemoteJob(s().url, s().tokens.alice, jobId);
    assert.equal(cancelled.id, jobId);
    assert.equal(cancelled.status, "Cancelled");
    const listed = (await listRemoteJobs(s().url, s().tokens.alice)).find((r) => r.id === jobId);
    assert.equal(listed?.status, "Cancelled");
    await assert.rejects(cancelRemoteJob(s().url, s().tokens.alice, jobId), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /409 Job Already Finished: Training job \S+ cannot be cancelled: it is Cancelled \(correlationId [0-9a-f-]{36}\)/);
      return true;
    });
  });

  it("names the 401 title, detail and correlationId of a wrong token without the token", async () => {
    const wrong = "tsk_wrong-token-that-must-not-leak";
    await assert.rejects(listRemoteJobs(s().url, wrong), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /^Cannot list jobs: server answered 401 Unauthorized: .+ \(correlationId [0-9a-f-]{36}\)$/);
      assert.ok(!error.message.includes(wrong), error.message);
      return true;
    });
    await assert.rejects(cancelRemoteJob(s().url, s().tokens.bob, jobId), /404 Job Not Found/);
  });

  it("refuses a URL that is not http(s) or carries credentials before calling anything", async () => {
    await assert.rejects(listRemoteJobs("ftp://127.0.0.1:1", "x"), TypeError);
    await assert.rejects(listRemoteJobs("http://u:p@127.0.0.1:1", "x"), /must not carry credentials/);
  });
});
