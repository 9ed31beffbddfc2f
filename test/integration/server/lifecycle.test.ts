import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTokenFile } from "../../../kernel/src/server/tokens.js";
import { runCli } from "../../support/cli.js";
import { makeLibrary } from "../export/video-fixture.js";
import { api, startTestServer, stopTestServer, uploadRatings, type TestServer } from "./server-fixture.js";
import { readEvents } from "./sse-client.js";

describe("trainset serve: tokens from the CLI", function () {
  this.timeout(60_000);
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "trainset-serve-cli-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("--print-token creates a 0600 token file once; token create adds a user; a readable file is refused", async () => {
    const store = join(dir, "store");
    const first = await runCli(["serve", "--print-token", "--store", store]);
    assert.equal(first.code, 0, first.stderr);
    const token = first.stdout.trim();
    assert.match(token, /^tsk_[A-Za-z0-9_-]{43}$/);
    const file = join(store, "server", "tokens.json");
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await runCli(["serve", "--print-token", "--store", store])).stdout.trim(), token);
    const carol = await runCli(["serve", "token", "create", "--user", "carol", "--store", store]);
    assert.equal(carol.code, 0, carol.stderr);
    assert.deepEqual((await readTokenFile(file)).tokens.map((t) => t.user), ["default-user", "carol"]);
    assert.equal((await runCli(["serve", "token", "create", "--user", "../x", "--store", store])).code, 1);
    await chmod(file, 0o644);
    const refused = await runCli(["serve", "--print-token", "--store", store]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /chmod 600/);
    assert.doesNotMatch(await readFile(file, "utf8"), /\.\.\/x/);
  });
});

describe("trainset serve: graceful shutdown", function () {
  this.timeout(120_000);
  let t: TestServer | undefined;
  let libDir = "";
  after(async () => {
    await stopTestServer(t);
    await rm(libDir, { recursive: true, force: true });
  });

  it("finishes an in-flight export, ends open event streams and refuses new connections", async () => {
    libDir = await mkdtemp(join(tmpdir(), "trainset-server-lib-"));
    t = await startTestServer({ library: await makeLibrary(libDir) });
    const s = t;
    await uploadRatings(s, 20);
    // No worker runs in this server: the job stays Queued and its stream stays open.
    const job = (await api(s, "POST", "/api/ml/train/frame-importance", { body: {} })).body["jobId"] as string;
    const stream = readEvents(s, job);
    assert.equal((await api(s, "POST", "/api/media/videos/1/ensure-segment-annotations/")).body["annotations_created"], 35);
    const slow = api(s, "POST", "/api/media/videos/export-annotated/", { body: { video_id: 1, output_dir: "out", export_frames: true, transcode_frames: true } });
    await new Promise((r) => setTimeout(r, 300));
    const closing = s.server.close();
    const answer = await slow;
    assert.equal(answer.status, 200, answer.text);
    assert.ok((answer.body["frames_extracted"] as number) > 0);
    await closing;
    const events = await stream;
    assert.equal(events.status, 200);
    assert.deepEqual(events.events.map((e) => e.event), ["state"]);
    await assert.rejects(fetch(`${s.url}/healthz`));
  });
});
