import { strict as assert } from "node:assert";
import { join } from "node:path";
import { legacyStep } from "../../../kernel/src/demo/step-legacy.js";
import { openFileJobQueue } from "../../../kernel/src/jobs/file-queue.js";
import { defaultJobHandlers } from "../../../kernel/src/jobs/handlers/index.js";
import { ModelRegistry } from "../../../kernel/src/models/model-registry.js";
import { storeAnnotations } from "../../../kernel/src/service/annotation-store.js";
import { readAuditHistory } from "../../../kernel/src/service/audit-log.js";
import { useTempDir } from "../../support/tmp.js";

describe("frame-importance-train jobs", function () {
  this.timeout(300_000);
  const tmp = useTempDir("trainset-fi-job-");

  it("trains on the user's stored ratings and deploys frame-importance v1 (the server's flat config)", async () => {
    const root = tmp();
    const store = join(root, "store");
    await legacyStep.run({ root, note: () => undefined });
    const items = Array.from({ length: 30 }, (_, i) => ({ framePath: join(root, "legacy", "images", `${479200 + i}.jpg`), rating: (i % 10) / 10, metadata: { video_id: `v${i % 5}` } }));
    await storeAnnotations(store, "ana", items);
    const queue = await openFileJobQueue(join(store, "jobs"));
    const job = await queue.submit({ kind: "frame-importance-train", user: "ana", config: { numEpochs: 3, tfBackend: "wasm", deploy: true, notes: "first" } });
    const missing = await queue.submit({ kind: "frame-importance-train", user: "bo", config: { numEpochs: 3 } });
    await storeAnnotations(store, "cy", items.slice(0, 5));
    const few = await queue.submit({ kind: "frame-importance-train", user: "cy", config: { numEpochs: 3 } });
    await queue.createWorker({ handlers: defaultJobHandlers(), storeRoot: store, once: true }).run();

    const done = await queue.get(job.id);
    assert.equal(done.state, "Completed", done.error);
    assert.equal(done.result?.["model"], "frame-importance");
    assert.equal(done.result?.["version"], "v1");
    assert.equal(done.result?.["deployed"], true);
    const events = await queue.readEvents(job.id);
    assert.deepEqual(events.flatMap((e) => (e.type === "epoch" ? [e.epoch] : [])), [1, 2, 3]);
    const registry = await ModelRegistry.open(store);
    const listing = await registry.list("frame-importance");
    assert.equal(listing.active?.version, "v1");
    assert.equal(listing.versions[0]?.notes, "first");
    assert.deepEqual((await readAuditHistory(store, { jobId: job.id, action: "train" })).map((a) => a.outcome), ["success"]);

    const failed = await queue.get(missing.id);
    assert.equal(failed.state, "Failed");
    assert.match(failed.error ?? "", /^No annotations found for training \(user "bo": ".*annotations\/bo\/annotations.jsonl" does not exist\)$/);
    assert.deepEqual((await readAuditHistory(store, { jobId: missing.id })).map((a) => [a.action, a.outcome]), [["train", "failure"]]);

    const blocked = await queue.get(few.id);
    assert.equal(blocked.state, "Failed");
    assert.match(blocked.error ?? "", /^Cannot start training: Training cannot proceed due to insufficient system resources\. .*Insufficient training data - minimum 20 annotations required, 100\+ recommended/);
    assert.equal(done.result?.["estimatedMinutes"] !== undefined, true);
  });
});
