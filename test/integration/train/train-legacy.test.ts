import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { legacyStep } from "../../../kernel/src/demo/step-legacy.js";
import { isTrainsetError } from "../../../kernel/src/util/errors.js";
import {
  parseTrainConfig,
  predict,
  readRun,
  train,
  type EpochEvent,
  type TrainConfig,
} from "../../../kernel/src/train/index.js";
import { useTempDir } from "../../support/tmp.js";

function configFor(root: string, extra: Record<string, unknown> = {}): TrainConfig {
  return parseTrainConfig({
    source: { kind: "legacy-jsonl", path: join(root, "legacy", "legacy_img_dicts.jsonl") },
    backbone: { kind: "builtin" },
    runs_dir: join(root, "runs"),
    cache_dir: join(root, "cache"),
    num_epochs: 4,
    warmup_epochs: 1,
    tf_backend: "wasm",
    ...extra,
  });
}

describe("train() on the demo's legacy set with the built-in backbone", function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it("writes a completed run, reuses cached embeddings and is deterministic", async () => {
    const root = tmp();
    await legacyStep.run({ root, note: () => undefined });
    const events: EpochEvent[] = [];
    const first = await train(configFor(root, { run_id: "a" }), { onEpoch: (e) => events.push(e) });
    assert.equal(first.meta.status, "completed");
    assert.equal(events.length, 4);
    assert.ok(Number(first.meta.data["embedded"]) > 0);
    const files = await readdir(first.runDir);
    for (const f of ["meta.json", "head.bin", "head.json", "history.jsonl"]) assert.ok(files.includes(f), f);
    assert.ok(files.some((f) => f.endsWith("_multilabel_meta.json")));
    const history = (await readFile(join(first.runDir, "history.jsonl"), "utf8")).trim().split("\n");
    assert.equal(history.length, 4);
    const meta = first.meta;
    assert.equal(meta.test_metrics_final?.per_label.length, 9);
    assert.deepEqual(Object.keys(meta.history).sort(), ["lr", "test_loss", "train_loss", "val_loss", "val_macro_f1", "val_map"]);

    const second = await train(configFor(root, { run_id: "b" }));
    assert.equal(second.meta.data["embedded"], 0, "second run must not run the backbone");
    assert.equal(second.meta.data["cache_hits"], first.meta.data["images"]);
    assert.deepEqual(second.meta.history.train_loss, first.meta.history.train_loss);
    assert.deepEqual(second.meta.test_metrics_final, first.meta.test_metrics_final);

    const saved = await readRun(first.runDir);
    assert.equal(saved.weights.tensors[0]?.shape[1], 9);
    const preds = await predict(first.runDir, [join(root, "legacy", "images", "479200.jpg")]);
    assert.equal(Object.keys(preds[0]?.probabilities ?? {}).length, 9);
  });

  it("stops between batches when aborted and leaves the folder marked cancelled", async () => {
    const root = tmp();
    await legacyStep.run({ root, note: () => undefined });
    const controller = new AbortController();
    await assert.rejects(
      train(configFor(root, { run_id: "c", num_epochs: 20, batch_size: 4 }), {
        onEpoch: (e) => {
          if (e.epoch === 2) controller.abort();
        },
        signal: controller.signal,
      }),
      (error: unknown) => isTrainsetError(error, "ABORTED"),
    );
    const saved = await readRun(join(root, "runs", "c"));
    assert.equal(saved.meta.status, "cancelled");
    assert.equal(saved.meta.epochs_run, 2);
  });
});
