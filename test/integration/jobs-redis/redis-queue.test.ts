import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultJobHandlers } from "../../../kernel/src/jobs/handlers/index.js";
import { noopHandler } from "../../../kernel/src/jobs/handlers/noop.js";
import type { JobWorker } from "../../../kernel/src/jobs/job-queue.js";
import { openJobQueue } from "../../../kernel/src/jobs/open-queue.js";
import { openRedisJobQueue, type RedisJobQueue } from "../../../kernel/src/jobs/redis/redis-queue.js";
import { isTrainsetError } from "../../../kernel/src/util/errors.js";
import { startRedisServer, useRedisServer, type RedisServer } from "../../support/redis-server.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const prefix = (): string => `prefix=r${randomBytes(4).toString("hex")}`;

describe("Redis queue: connection, selection and shared storage", function () {
  this.timeout(60_000);
  const redis = useRedisServer({ password: "s3cret" });
  let storeRoot: string;
  const closers: Array<() => Promise<unknown>> = [];
  beforeEach(async () => {
    storeRoot = await mkdtemp(join(tmpdir(), "trainset-redis-q-"));
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await rm(storeRoot, { recursive: true, force: true });
  });
  const open = async (query = prefix()): Promise<RedisJobQueue> => {
    const queue = await openRedisJobQueue(`${redis().url}?${query}`);
    closers.push(() => queue.close());
    return queue;
  };

  it("reports a Redis that is not running as a clear connection error", async () => {
    const server = await startRedisServer();
    const port = server.port;
    await server.dispose();
    await assert.rejects(openRedisJobQueue(`redis://127.0.0.1:${port}/0`), (e: unknown) =>
      isTrainsetError(e, "IO_ERROR") && e.message === `Cannot connect to Redis at 127.0.0.1:${port}: connection refused (is redis-server running and reachable?)`);
  });

  it("reports a wrong or missing password as an authentication failure", async () => {
    const port = redis().port;
    await assert.rejects(openRedisJobQueue(`redis://:wrong@127.0.0.1:${port}/0`), (e: unknown) =>
      isTrainsetError(e, "IO_ERROR") && e.message.startsWith(`Cannot connect to Redis at 127.0.0.1:${port}: authentication failed (WRONGPASS`));
    await assert.rejects(openRedisJobQueue(`redis://127.0.0.1:${port}/0`), (e: unknown) =>
      isTrainsetError(e, "IO_ERROR") && e.message.startsWith(`Cannot connect to Redis at 127.0.0.1:${port}: authentication failed (NOAUTH`));
  });

  it("is selected by --queue redis://… and by TRAINSET_QUEUE", async () => {
    const url = `${redis().url}?${prefix()}`;
    const byOption = await openJobQueue({ queue: url, store: storeRoot });
    closers.push(() => byOption.close());
    const byEnv = await openJobQueue({ env: { TRAINSET_QUEUE: url }, store: storeRoot });
    closers.push(() => byEnv.close());
    assert.equal(byOption.backend, "redis");
    assert.equal(byEnv.backend, "redis");
    assert.equal(byOption.location.includes("s3cret"), false, "the password is masked");
    const job = await byOption.submit({ kind: "noop", config: {} });
    assert.equal((await byEnv.get(job.id)).state, "Queued");
  });

  it("records one job for concurrent submits with the same request id from two clients", async () => {
    const query = prefix();
    const [a, b] = [await open(query), await open(query)];
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).submit({ kind: "noop", config: {}, requestId: "upload-42" })));
    assert.equal(new Set(results.map((j) => j.id)).size, 1);
    assert.equal((await a.list()).length, 1);
    assert.equal(await a.bull.count(), 1);
  });

  it("fails a job whose dataset this worker cannot read, naming the path and the fix", async () => {
    const queue = await open();
    const nested = await queue.submit({ kind: "multilabel-train", config: { train: { source: { kind: "coco", path: "/nonexistent/shared/coco.json" } } } });
    const flat = await queue.submit({ kind: "frame-importance-train", config: { annotations: "/nonexistent/shared/ratings.jsonl" } });
    const worker = queue.createWorker({ handlers: defaultJobHandlers(), storeRoot, once: true });
    await worker.run();
    for (const [job, path] of [[nested, "/nonexistent/shared/coco.json"], [flat, "/nonexistent/shared/ratings.jsonl"]] as const) {
      const end = await queue.get(job.id);
      assert.equal(end.state, "Failed");
      assert.equal(end.error, `Cannot run job ${job.id} on worker ${worker.id}: its dataset "${path}" is not readable on this machine (no such file or directory); every worker must see the datasets and the store at the same path (shared storage)`);
    }
  });
});

describe("Redis queue across Redis restarts", function () {
  this.timeout(90_000);
  let server: RedisServer;
  let storeRoot: string;
  const closers: Array<() => Promise<unknown>> = [];
  before(async () => {
    server = await startRedisServer({ persistent: true });
  });
  after(async () => {
    await server.dispose();
  });
  beforeEach(async () => {
    storeRoot = await mkdtemp(join(tmpdir(), "trainset-redis-r-"));
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await server.start();
    await rm(storeRoot, { recursive: true, force: true });
  });

  it("keeps jobs, states and events when the Redis server restarts", async () => {
    const url = `${server.url}?${prefix()}`;
    const queue = await openRedisJobQueue(url);
    const done = await queue.submit({ kind: "noop", config: { steps: 2 } });
    await queue.createWorker({ handlers: { noop: noopHandler }, storeRoot, once: true }).run();
    const waiting = await queue.submit({ kind: "noop", config: {} });
    const eventsBefore = await queue.readEvents(done.id);
    await queue.close();
    await server.stop();
    await server.start();
    const again = await openRedisJobQueue(url);
    closers.push(() => again.close());
    assert.equal((await again.get(done.id)).state, "Completed");
    assert.deepEqual(await again.readEvents(done.id), eventsBefore);
    assert.equal((await again.get(waiting.id)).state, "Queued");
    await again.createWorker({ handlers: { noop: noopHandler }, storeRoot, once: true }).run();
    assert.equal((await again.get(waiting.id)).state, "Completed");
  });

  it("keeps a worker running through a Redis outage: it reconnects and takes the next job", async () => {
    const url = `${server.url}?${prefix()}`;
    const queue = await openRedisJobQueue(url);
    closers.push(() => queue.close());
    const errors: string[] = [];
    const worker: JobWorker = queue.createWorker({ handlers: { noop: noopHandler }, storeRoot, onError: (e) => errors.push(String(e)) });
    closers.push(() => worker.stop("cancel"));
    const running = worker.run();
    const first = await queue.submit({ kind: "noop", config: {} });
    for (let i = 0; i < 200 && (await queue.get(first.id)).state !== "Completed"; i++) await sleep(50);
    await server.stop();
    await sleep(1500);
    await server.start();
    let second: { id: string } | undefined;
    for (let i = 0; i < 100 && second === undefined; i++) second = await queue.submit({ kind: "noop", config: {} }).catch(async () => sleep(100).then(() => undefined));
    assert.ok(second !== undefined, "the client reconnected");
    for (let i = 0; i < 600 && (await queue.get(second.id)).state !== "Completed"; i++) await sleep(50);
    assert.equal((await queue.get(second.id)).state, "Completed");
    assert.ok(errors.some((e) => /reconnecting/.test(e)), "the worker reported its reconnection");
    await worker.stop("wait");
    await running;
  });
});
