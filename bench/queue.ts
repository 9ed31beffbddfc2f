/**
 * Bench `queue` (issue 14): queue overhead. 1,000 no-op jobs through 1, 2 and 4 worker processes,
 * the Redis queue (BullMQ) and the file queue side by side in one run: throughput (jobs/s, from
 * the first start to the last finish while the workers drain a backlog) and p95 submit-to-start
 * latency (record `startedAt - createdAt` of 30 probe jobs sent one at a time to idle workers).
 * Workers are separate processes, started before the clock runs. A second series (200 jobs that
 * sleep 50 ms, like a worker waiting on its GPU) shows how dispatch scales with workers when the
 * machine's CPUs are not the limit.
 *
 * As a script (`node --conditions=trainset-source --import tsx bench/queue.ts worker QUEUE STORE`)
 * it is one worker process (QUEUE `file` or a redis:// URL); SIGTERM ends it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { noopHandler } from "../kernel/src/jobs/handlers/noop.js";
import type { JobQueue, JobRecord } from "../kernel/src/jobs/job-queue.js";
import { openJobQueue } from "../kernel/src/jobs/open-queue.js";
import { startRedisServer, type RedisServer } from "../test/support/redis-server.js";
import type { BenchContext, BenchEntry, BenchRow } from "./harness.js";

const WORKER_COUNTS = [1, 2, 4];

/** Opens the bench's queue: `file` (under the store) or a Redis URL. */
function open(spec: string, store: string): Promise<JobQueue> {
  return openJobQueue(spec === "file" ? { store, env: {} } : { queue: spec, store, env: {} });
}

interface Measured {
  jobsPerSecond: number;
  p95StartMs: number;
  medianStartMs: number;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

async function startWorker(spec: string, store: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--conditions=trainset-source", "--import", "tsx", fileURLToPath(import.meta.url), "worker", spec, store], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      output += d;
      if (output.includes("ready")) resolve();
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.once("exit", (code) => reject(new Error(`bench worker exited (${String(code)}):\n${output}`)));
  });
  return child;
}

/** Submits `count` jobs, `inFlight` at a time, and returns their ids. */
async function submitMany(queue: JobQueue, count: number, ms: number, inFlight: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += inFlight) {
    const batch = Array.from({ length: Math.min(inFlight, count - i) }, () => queue.submit({ kind: "noop", config: { ms } }));
    for (const job of await Promise.all(batch)) ids.push(job.id);
  }
  return ids;
}

/**
 * Runs `jobs` noop jobs of `ms` each through `workers` worker processes on a fresh queue:
 * throughput while the workers drain a backlog (submitted 32 at a time, faster than they run),
 * then the submit-to-start latency of 30 probe jobs submitted one at a time to idle workers.
 */
async function measure(spec: string, store: string, workers: number, jobs: number, ms = 0): Promise<Measured> {
  const children: ChildProcess[] = [];
  const queue = await open(spec, store);
  const over = (r: JobRecord): boolean => r.state === "Completed" || r.state === "Failed" || r.state === "Cancelled";
  const pause = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis));
  try {
    for (let i = 0; i < workers; i++) children.push(await startWorker(spec, store));
    await pause(1000); // let the last worker connect
    const ids = await submitMany(queue, jobs, ms, 32);
    // Watch only the last job (cheap), then read every record once or twice: polling the whole
    // list while the workers run would load the machine the workers share.
    const last = ids[ids.length - 1] ?? "";
    for (let i = 0; i < 3000 && !over(await queue.get(last)); i++) await pause(200);
    let records: JobRecord[] = [];
    for (let i = 0; i < 600; i++) {
      records = await Promise.all(ids.map((id) => queue.get(id)));
      if (records.every(over)) break;
      await pause(500);
    }
    const failed = records.filter((r) => r.state !== "Completed");
    if (failed.length > 0) throw new Error(`bench queue: ${failed.length} jobs did not complete (${failed[0]?.state}: ${failed[0]?.error ?? ""})`);
    const started = records.map((r) => Date.parse(r.startedAt ?? ""));
    const finished = records.map((r) => Date.parse(r.finishedAt ?? ""));
    const seconds = (Math.max(...finished) - Math.min(...started)) / 1000;
    const waits: number[] = [];
    for (let p = 0; p < 30; p++) {
      const probe = await queue.submit({ kind: "noop", config: {} });
      let record = await queue.get(probe.id);
      for (let i = 0; i < 2000 && !over(record); i++) {
        await pause(10);
        record = await queue.get(probe.id);
      }
      waits.push(Date.parse(record.startedAt ?? "") - Date.parse(record.createdAt));
    }
    return { jobsPerSecond: jobs / seconds, p95StartMs: percentile(waits, 95), medianStartMs: percentile(waits, 50) };
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(undefined) : c.once("exit", resolve)))));
    await queue.close();
  }
}

const show = (m: Measured): string => `${m.jobsPerSecond.toFixed(0)} jobs/s, p95 start ${m.p95StartMs.toFixed(0)} ms (median ${m.medianStartMs.toFixed(0)})`;

/** The `queue` entry of `npm run bench`. */
export const queueBench: BenchEntry = {
  name: "queue",
  issue: 14,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const jobs = ctx.quick ? 100 : 1000;
    // Jobs that sleep (no CPU) show how dispatch scales with workers even on a small, busy machine.
    const sleepJobs = ctx.quick ? 40 : 200;
    const sleepMs = 50;
    const redis: RedisServer = await startRedisServer();
    const series: Array<{ label: string; results: Array<{ workers: number; redis: Measured; file: Measured }> }> = [
      { label: `${jobs} no-op jobs`, results: [] },
      { label: `${sleepJobs} jobs sleeping ${sleepMs} ms`, results: [] },
    ];
    try {
      for (const workers of WORKER_COUNTS) {
        for (const [index, [count, ms]] of [[jobs, 0], [sleepJobs, sleepMs]].entries()) {
          const store = await mkdtemp(join(ctx.workDir, "queue-"));
          try {
            const onRedis = await measure(`${redis.url}?prefix=bench${workers}-${ms}`, store, workers, count ?? 0, ms);
            const onFile = await measure("file", store, workers, count ?? 0, ms);
            ctx.log(`${series[index]?.label}, ${workers} worker(s): Redis ${show(onRedis)}; file ${show(onFile)}`);
            series[index]?.results.push({ workers, redis: onRedis, file: onFile });
          } finally {
            await rm(store, { recursive: true, force: true });
          }
        }
      }
    } finally {
      await redis.dispose();
    }
    const rows: BenchRow[] = [];
    for (const { label, results } of series) {
      const single = results[0];
      for (const r of results) {
        const scaling = single === undefined ? 1 : r.redis.jobsPerSecond / single.redis.jobsPerSecond;
        rows.push({
          case: `${label}, ${r.workers} worker process${r.workers > 1 ? "es" : ""} (Redis vs file queue)`,
          trainset: `Redis ${show(r.redis)}`,
          peer: `file ${show(r.file)}`,
          ratio: r.redis.jobsPerSecond / r.file.jobsPerSecond,
          goal: r.workers === 1 ? "Redis queue at least as fast as the file queue" : "Redis jobs/s grows with workers",
          met: r.workers === 1 ? r.redis.jobsPerSecond >= r.file.jobsPerSecond : scaling > 1,
          notes: `Redis ${scaling.toFixed(2)}x its 1-worker throughput; file ${(single === undefined ? 1 : r.file.jobsPerSecond / single.file.jobsPerSecond).toFixed(2)}x`,
        });
      }
    }
    return rows;
  },
};

if (process.argv[2] === "worker") {
  const [spec, store] = process.argv.slice(3);
  if (spec === undefined || store === undefined) throw new Error("usage: bench/queue.ts worker QUEUE STORE");
  const queue = await open(spec, store);
  const worker = queue.createWorker({ handlers: { noop: noopHandler }, storeRoot: store });
  process.on("SIGTERM", () => void worker.stop("wait"));
  process.stdout.write("ready\n");
  await worker.run();
  await queue.close();
}
