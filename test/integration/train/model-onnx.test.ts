import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { legacyStep } from "../../../kernel/src/demo/step-legacy.js";
import { buildTrainData, parseTrainConfig, predict, readTrainSamples, splitRowsByGroup, train, writeTinyOnnxBackbone } from "../../../kernel/src/train/index.js";
import { runCli } from "../../support/cli.js";
import { useTempDir } from "../../support/tmp.js";

describe("model.onnx of a multilabel run", function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it("matches the in-process model (ORT backbone + tfjs head) within 1e-5 and predicts from the file alone", async () => {
    const root = tmp();
    await legacyStep.run({ root, note: () => undefined });
    await writeTinyOnnxBackbone(join(root, "tiny.onnx"), { channels: 12 });
    const config = parseTrainConfig({
      source: { kind: "legacy-jsonl", path: join(root, "legacy", "legacy_img_dicts.jsonl") },
      backbone: { kind: "onnx", path: join(root, "tiny.onnx"), output: "features" },
      runs_dir: join(root, "runs"),
      cache_dir: join(root, "cache"),
      run_id: "r",
      num_epochs: 6,
      head: "mlp",
      hidden_units: 16,
      tf_backend: "wasm",
    });
    const { runDir, meta } = await train(config);
    assert.deepEqual(meta.onnx, { file: "model.onnx", kind: "full", input: "image", output: "probabilities" });
    assert.ok((await readdir(runDir)).includes("model.onnx"));
    // Every image of the set (a superset of its test split).
    const data = buildTrainData(await readTrainSamples(config.source), meta.labelset);
    assert.equal(data.images.length, meta.data["images"]);
    const testImages = data.images;
    const inProcess = await predict(runDir, testImages);
    const fromOnnx = await predict(runDir, testImages, { engine: "onnx" });
    let worst = 0;
    inProcess.forEach((p, i) => {
      for (const [label, prob] of Object.entries(p.probabilities)) worst = Math.max(worst, Math.abs(prob - (fromOnnx[i]?.probabilities[label] ?? Infinity)));
    });
    assert.ok(worst < 1e-5, `largest difference ${worst}`);

    const cli = await runCli(["predict", join(runDir, "model.onnx"), testImages[0] ?? "", "--json"]);
    assert.equal(cli.code, 0, cli.stderr);
    const printed = JSON.parse(cli.stdout) as { probabilities: Record<string, number> }[];
    assert.ok(Math.abs((printed[0]?.probabilities["polyp"] ?? -1) - (inProcess[0]?.probabilities["polyp"] ?? 0)) < 1e-5);
  });

  it("writes head.onnx for the built-in backbone and refuses the onnx engine there", async () => {
    const root = tmp();
    await legacyStep.run({ root, note: () => undefined });
    const config = parseTrainConfig({ source: { kind: "legacy-jsonl", path: join(root, "legacy", "legacy_img_dicts.jsonl") }, backbone: { kind: "builtin" }, runs_dir: join(root, "runs"), cache_dir: join(root, "cache"), run_id: "b", num_epochs: 1, tf_backend: "wasm" });
    const { runDir, meta } = await train(config);
    assert.equal(meta.onnx?.file, "head.onnx");
    await assert.rejects(predict(runDir, [join(root, "legacy", "images", "479200.jpg")], { engine: "onnx" }), /no full ONNX model/);
  });
});

describe("splitRowsByGroup()", () => {
  it("keeps a group in one split and is seeded", () => {
    const groups = Array.from({ length: 40 }, (_, i) => `g${Math.floor(i / 4)}`);
    const a = splitRowsByGroup(groups, 0.2, 0.2, 7);
    assert.deepEqual(splitRowsByGroup(groups, 0.2, 0.2, 7), a);
    const where = new Map<string, number>();
    a.forEach((rows, k) => rows.forEach((r) => {
      const g = groups[r] ?? "";
      assert.equal(where.get(g) ?? k, k);
      where.set(g, k);
    }));
    assert.equal(a.flat().length, 40);
  });
});
