import { strict as assert } from "node:assert";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { legacyStep } from "../../../kernel/src/demo/step-legacy.js";
import { openFileJobQueue } from "../../../kernel/src/jobs/file-queue.js";
import { defaultJobHandlers } from "../../../kernel/src/jobs/handlers/index.js";
import { PHASE_BANDS, type JobEvent } from "../../../kernel/src/jobs/job-queue.js";
import { ModelRegistry } from "../../../kernel/src/models/model-registry.js";
import { readAuditHistory } from "../../../kernel/src/service/audit-log.js";
import { useTempDir } from "../../support/tmp.js";
import { killAll, runCliProcess } from "./processes.js";

function trainConfig(root: string, epochs: number): Record<string, unknown> {
  return {
    source: { kind: "legacy-jsonl", path: "legacy/legacy_img_dicts.jsonl" },
    backbone: { kind: "builtin" },
    num_epochs: epochs,
    warmup_epochs: 1,
    batch_size: 8,
    tf_backend: "wasm",
    cache_dir: join(root, "cache"),
  };
}

describe("multilabel-train jobs", function () {
  this.timeout(300_000);
  const tmp = useTempDir("trainset-train-job-");
  afterEach(killAll);

  it("trains, registers and deploys a model end to end through `trainset jobs submit` and `trainset worker`", async () => {
    const root = tmp();
    const store = join(root, "store");
    await legacyStep.run({ root, note: () => undefined });
    await writeFile(join(root, "job.json"), JSON.stringify({ train: trainConfig(root, 3), model: "polyp" }));
    const submit = await runCliProcess(["jobs", "submit", "multilabel-train", "--config", join(root, "job.json"), "--store", store, "--user", "ana"]);
    assert.equal(submit.code, 0, submit.stderr);
    const id = submit.stdout.trim();
    const worker = await runCliProcess(["worker", "--store", store, "--once"]);
    assert.equal(worker.code, 0, worker.stderr);

    const queue = await openFileJobQueue(join(store, "jobs"));
    const job = await queue.get(id);
    assert.equal(job.state, "Completed", job.error);
    assert.equal(job.result?.["model"], "polyp");
    assert.equal(job.result?.["version"], "v1");
    assert.equal(job.result?.["deployed"], true);
    assert.equal(job.result?.["runDir"], join(store, "runs", `${id}-a1`));
    const events = await queue.readEvents(id);
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
    const epochs = events.flatMap((e) => (e.type === "epoch" ? [e.epoch] : []));
    assert.deepEqual(epochs, [1, 2, 3]);
    const epoch = events.find((e): e is Extract<JobEvent, { type: "epoch" }> => e.type === "epoch");
    assert.ok(epoch !== undefined && typeof epoch.metrics["val_loss"] === "number" && typeof epoch.metrics["val_map"] === "number");
    const progress = events.flatMap((e) => (e.type === "progress" ? [e.progress] : []));
    const percents = progress.map((p) => p.percent);
    assert.deepEqual(percents, [...percents].sort((a, b) => a - b), "percent never goes backwards");
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], ["loading", "preparing", "training", "deploying"]);
    for (const p of progress) {
      const [start, end] = PHASE_BANDS[p.phase];
      assert.ok(p.percent >= start && p.percent <= end, `${p.phase} ${p.percent}`);
    }
    assert.equal(progress.find((p) => p.phase === "training" && p.message.startsWith("Epoch 3/3"))?.percent, 80);

    const registry = await ModelRegistry.open(store);
    const listing = await registry.list("polyp");
    assert.equal(listing.active?.version, "v1");
    assert.equal(listing.versions[0]?.jobId, id);
    const audit = await readAuditHistory(store, { jobId: id, action: "train" });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.outcome, "success");
    assert.equal(audit[0]?.user, "ana");
    const status = await runCliProcess(["jobs", "status", id, "--store", store]);
    assert.match(status.stdout, /state\s+Completed\n/);
    assert.match(await readFile(join(store, "runs", `${id}-a1`, "meta.json"), "utf8"), /"status": "completed"/);
  });

  it("stops training at a cancel and ends the job Cancelled with the run folder marked cancelled", async () => {
    const root = tmp();
    const store = join(root, "store");
    await legacyStep.run({ root, note: () => undefined });
    const queue = await openFileJobQueue(join(store, "jobs"));
    const config = { ...trainConfig(root, 200), source: { kind: "legacy-jsonl", path: join(root, "legacy", "legacy_img_dicts.jsonl") } };
    const job = await queue.submit({ kind: "multilabel-train", config: { train: config as never } });
    let cancelled = false;
    const worker = queue.createWorker({
      handlers: defaultJobHandlers(),
      storeRoot: store,
      once: true,
      onEvent: (e) => {
        if (e.type === "epoch" && !cancelled) {
          cancelled = true;
          void queue.cancel(job.id);
        }
      },
    });
    await worker.run();
    const end = await queue.get(job.id);
    assert.equal(end.state, "Cancelled");
    assert.equal(end.error, "Job was cancelled");
    const meta = JSON.parse(await readFile(join(store, "runs", `${job.id}-a1`, "meta.json"), "utf8")) as { status: string; epochs_run: number };
    assert.equal(meta.status, "cancelled");
    assert.ok(meta.epochs_run < 200);
    const audit = await readAuditHistory(store, { jobId: job.id });
    assert.deepEqual(audit.map((a) => [a.action, a.outcome]), [["train", "cancelled"]]);
    assert.deepEqual((await ModelRegistry.open(store).then((r) => r.listModels())), []);
  });
});
