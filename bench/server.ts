/**
 * Bench `server` (issue 15): `trainset serve` under load on loopback. autocannon sends
 * `GET /api/ml/annotations/stats` and `GET /api/ml/train/{id}/status` (alternating) with 50
 * connections for 20 s, first with no job running (the peer: the same server idle), then while a
 * frame-importance training job runs in the server's worker process, whose SSE stream is read at the
 * same time. Reported: requests/s, p50/p99 latency, errors, and the job's events that arrived
 * during the loaded window (training must not stall, and the server must not block on it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import sharp from "sharp";
import { addToken } from "../kernel/src/server/tokens.js";
import { writeTinyOnnxBackbone } from "../kernel/src/train/tiny-onnx-backbone.js";
import type { BenchEntry } from "./harness.js";

const REPO = fileURLToPath(new URL("../", import.meta.url));

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

async function startServe(store: string, root: string): Promise<{ child: ChildProcess; url: string }> {
  const cli = join(REPO, "kernel", "src", "cli", "run.ts");
  const child = spawn(process.execPath, ["--conditions=trainset-source", "--import", "tsx", cli, "serve", "--store", store, "--root", root, "--port", "0", "--advanced"], { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
  const url = await new Promise<string>((resolve, reject) => {
    let err = "";
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      err += d;
      const m = /listening on (http:\/\/\S+?) /.exec(err);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`bench: trainset serve exited ${String(code)}:\n${err.slice(-2000)}`)));
  });
  return { child, url };
}

async function load(url: string, token: string, jobId: string, seconds: number): Promise<Load> {
  const r = await autocannon({
    url,
    connections: 50,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    requests: [{ method: "GET", path: "/api/ml/annotations/stats" }, { method: "GET", path: `/api/ml/train/${jobId}/status` }],
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, total: r.requests.total };
}

/** Counts a job's SSE events (and epochs) until stopped. */
function countEvents(url: string, token: string, jobId: string): { counts: { events: number; epochs: number; lastSeq: number }; stop: () => void } {
  const counts = { events: 0, epochs: 0, lastSeq: 0 };
  const controller = new AbortController();
  void (async () => {
    try {
      const res = await fetch(`${url}/api/ml/train/${jobId}/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
      const decoder = new TextDecoder();
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        for (const m of text.matchAll(/^id: (\d+)$/gm)) {
          counts.events++;
          counts.lastSeq = Number(m[1]);
        }
        counts.epochs += (text.match(/^event: epoch$/gm) ?? []).length;
      }
    } catch {
      /* aborted */
    }
  })();
  return { counts, stop: () => controller.abort() };
}

const fmt = (l: Load): string => `${Math.round(l.rps)} req/s, p50 ${l.p50} ms, p99 ${l.p99} ms, ${l.errors + l.non2xx} errors of ${l.total}`;

export const serverBench: BenchEntry = {
  name: "server",
  issue: 15,
  async run(ctx) {
    const seconds = ctx.quick ? 5 : 20;
    const dir = join(ctx.workDir, "server");
    await rm(dir, { recursive: true, force: true });
    const root = join(dir, "work");
    const store = join(dir, "store");
    await mkdir(join(root, "frames"), { recursive: true });
    const annotations = [];
    for (let i = 0; i < 60; i++) {
      const v = (i * 47) % 256;
      await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: v, g: 255 - v, b: (i * 13) % 256 } } }).png().toFile(join(root, "frames", `f${i}.png`));
      annotations.push({ framePath: `frames/f${i}.png`, rating: v / 255 });
    }
    await writeTinyOnnxBackbone(join(root, "tiny.onnx"), { channels: 8 });
    const { token } = await addToken(join(store, "server", "tokens.json"), "bench");
    const { child, url } = await startServe(store, root);
    const call = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return (await res.json()) as Record<string, unknown>;
    };
    try {
      await call("POST", "/api/ml/annotations/upload", { annotations });
      const submit = async (numEpochs: number): Promise<string> => {
        const submitted = await call("POST", "/api/ml/train/frame-importance", { numEpochs, batchSize: 8, backbone: "tiny.onnx", deploy: false });
        if (typeof submitted["jobId"] !== "string") throw new Error(`bench: training was not submitted: ${JSON.stringify(submitted)}`);
        return submitted["jobId"];
      };
      const waitFor = async (jobId: string, done: (s: Record<string, unknown>) => boolean): Promise<void> => {
        for (;;) {
          const s = await call("GET", `/api/ml/train/${jobId}/status`);
          if (done(s)) return;
          if (s["state"] !== "Queued" && s["state"] !== "Running") throw new Error(`bench: training job ended ${String(s["state"])}: ${String(s["error"])}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      };
      // Warm-up: a one-epoch job proves the worker is up; the idle load then polls that finished job.
      const warm = await submit(1);
      await waitFor(warm, (s) => s["state"] === "Completed");
      ctx.log(`server: ${seconds} s idle load at ${url}`);
      const idle = await load(url, token, warm, seconds);
      const jobId = await submit(10_000);
      await waitFor(jobId, (s) => s["state"] === "Running" && (s["progress"] as number) >= 20);
      const sse = countEvents(url, token, jobId);
      await new Promise((r) => setTimeout(r, 1000));
      const before = { ...sse.counts };
      ctx.log(`server: ${seconds} s load while job ${jobId} trains`);
      const busy = await load(url, token, jobId, seconds);
      const after = { ...sse.counts };
      sse.stop();
      await call("POST", `/api/ml/train/${jobId}/cancel`);
      const epochs = after.epochs - before.epochs;
      const ratio = busy.rps / idle.rps;
      const met = busy.errors + busy.non2xx === 0 && epochs > 0 && ratio >= 0.5;
      return [
        {
          case: `GET stats + job status, 50 connections, ${seconds} s, loopback`,
          trainset: `${fmt(busy)} (training); ${epochs} epochs / ${after.events - before.events} SSE events during the load`,
          peer: `${fmt(idle)} (same server, no job running)`,
          ratio,
          goal: "zero errors, events keep flowing, >= 0.5x idle throughput while training",
          met,
          notes: "autocannon in the bench process; server + worker are child processes",
        },
      ];
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  },
};
