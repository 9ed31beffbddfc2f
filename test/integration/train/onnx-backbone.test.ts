import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { isTrainsetError } from "../../../kernel/src/util/errors.js";
import { embedImages, loadBackbone, parseTrainConfig, predict, train } from "../../../kernel/src/train/index.js";
import { useTempDir } from "../../support/tmp.js";

const PYTHON = "/usr/bin/python3";
// A tiny ONNX "backbone": global average pool over NCHW, output "features" [N,3].
const MAKE_ONNX = `
import sys, onnx
from onnx import helper, TensorProto
x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 224, 224])
y = helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 3])
g = helper.make_graph([helper.make_node("GlobalAveragePool", ["input"], ["pooled"]),
                       helper.make_node("Flatten", ["pooled"], ["features"])], "gap", [x], [y])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]); m.ir_version = 8
onnx.save(m, sys.argv[1])`;

// A classifier-shaped export: conv -> relu -> pool -> "features" -> fc -> "logits", both outputs
// (what torch.onnx.export(..., output_names=["features", "logits"]) gives).
const MAKE_TWO_OUTPUTS = `
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
rng = np.random.default_rng(0)
w = numpy_helper.from_array(rng.normal(0, 0.2, (6, 3, 3, 3)).astype(np.float32), "conv_w")
fc = numpy_helper.from_array(rng.normal(0, 0.5, (6, 4)).astype(np.float32), "fc_w")
x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 224, 224])
f = helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 6])
y = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 4])
g = helper.make_graph([
  helper.make_node("Conv", ["input", "conv_w"], ["c"], strides=[8, 8]),
  helper.make_node("Relu", ["c"], ["r"]),
  helper.make_node("GlobalAveragePool", ["r"], ["p"]),
  helper.make_node("Flatten", ["p"], ["features"]),
  helper.make_node("MatMul", ["features", "fc_w"], ["logits"])], "cls", [x], [y, f], [w, fc])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]); m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])`;

function hasPythonOnnx(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ["-c", "import onnx"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("ONNX backbones", function () {
  this.timeout(60_000);
  const tmp = useTempDir();
  before(function () {
    if (!hasPythonOnnx()) this.skip();
  });

  it("embeds with onnxruntime, caches by content and does no forward on the second pass", async () => {
    const model = join(tmp(), "gap.onnx");
    execFileSync(PYTHON, ["-c", MAKE_ONNX, model]);
    const images: string[] = [];
    for (const [i, colour] of [[255, 0, 0], [0, 255, 0], [255, 0, 0]].entries()) {
      const p = join(tmp(), `${i}.png`);
      await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: colour[0]!, g: colour[1]!, b: colour[2]! } } }).png().toFile(p);
      images.push(p);
    }
    const backbone = await loadBackbone({ kind: "onnx", path: model, output: "features" });
    const cacheDir = join(tmp(), "cache");
    const first = await embedImages(images, backbone, { cacheDir });
    assert.equal(first.dim, 3);
    assert.equal(first.computed, 3);
    assert.ok(Math.abs(first.features[0]! - (1 - 0.485) / 0.229) < 1e-3, String(Array.from(first.features)));
    let forwards = 0;
    const counting = { ...backbone, embed: (b: Float32Array, n: number) => { forwards++; return backbone.embed(b, n); } };
    const second = await embedImages(images, counting, { cacheDir });
    assert.equal(forwards, 0);
    assert.equal(second.cacheHits, 3);
    assert.deepEqual(second.features, first.features);
    await backbone.dispose();
  });

  it("cuts a two-output export at its feature node: model.onnx drops the classifier and matches the head", async () => {
    const root = tmp();
    const model = join(root, "cls.onnx");
    execFileSync(PYTHON, ["-c", MAKE_TWO_OUTPUTS, model]);
    await mkdir(join(root, "images"));
    const lines: string[] = [];
    for (let i = 0; i < 12; i++) {
      await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: i * 20, g: 255 - i * 20, b: (i * 50) % 255 } } }).png().toFile(join(root, "images", `${i}.png`));
      lines.push(JSON.stringify({ labels: [i % 2 === 0 ? "polyp" : "blood"], old_examination_id: i, old_id: i, filename: `${i}.png` }));
    }
    await writeFile(join(root, "l.jsonl"), lines.join("\n") + "\n");
    const config = parseTrainConfig({ source: { kind: "legacy-jsonl", path: join(root, "l.jsonl") }, backbone: { kind: "onnx", path: model, output: "features" }, runs_dir: join(root, "runs"), run_id: "r", num_epochs: 3, tf_backend: "wasm" });
    const { runDir } = await train(config);
    // The exported graph keeps only what "features" needs: no "logits", no fc weights.
    const check = `import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m); print([o.name for o in m.graph.output], sorted(i.name for i in m.graph.initializer), [n.op_type for n in m.graph.node])`;
    const graph = execFileSync(PYTHON, ["-c", check, join(runDir, "model.onnx")], { encoding: "utf8" });
    assert.match(graph, /\['probabilities'\]/);
    assert.doesNotMatch(graph, /logits|fc_w|'MatMul', 'MatMul'/);
    const images = Array.from({ length: 12 }, (_, i) => join(root, "images", `${i}.png`));
    const a = await predict(runDir, images);
    const b = await predict(runDir, images, { engine: "onnx" });
    a.forEach((p, i) => Object.entries(p.probabilities).forEach(([l, v]) => assert.ok(Math.abs(v - (b[i]?.probabilities[l] ?? Infinity)) < 1e-5, `${i} ${l}`)));
  });

  it("names a missing output node", async () => {
    const model = join(tmp(), "gap.onnx");
    execFileSync(PYTHON, ["-c", MAKE_ONNX, model]);
    await assert.rejects(loadBackbone({ kind: "onnx", path: model, output: "fc7" }), /has no output "fc7" \(outputs: features\)/);
  });

  it("fails on an unreadable image without leaving a run folder", async () => {
    const root = tmp();
    const model = join(root, "gap.onnx");
    execFileSync(PYTHON, ["-c", MAKE_ONNX, model]);
    await mkdir(join(root, "images"));
    const lines: string[] = [];
    for (let i = 0; i < 6; i++) {
      await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: i * 40, g: 0, b: 0 } } }).png().toFile(join(root, "images", `${i}.png`));
      lines.push(JSON.stringify({ labels: ["polyp"], old_examination_id: i, old_id: i, filename: `${i}.png` }));
    }
    await writeFile(join(root, "images", "broken.png"), "not a png");
    lines.push(JSON.stringify({ labels: ["blood"], old_examination_id: 9, old_id: 9, filename: "broken.png" }));
    await writeFile(join(root, "l.jsonl"), lines.join("\n") + "\n");
    const config = parseTrainConfig({ source: { kind: "legacy-jsonl", path: join(root, "l.jsonl") }, backbone: { kind: "onnx", path: model }, runs_dir: join(root, "runs"), cache_dir: join(root, "cache"), num_epochs: 2, tf_backend: "cpu" });
    await assert.rejects(train(config), (e: unknown) => isTrainsetError(e, "IO_ERROR") && /broken\.png/.test(e.message));
    assert.equal(existsSync(join(root, "runs")) ? (await readdir(join(root, "runs"))).length : 0, 0);
  });
});
