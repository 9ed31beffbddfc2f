import { strict as assert } from "node:assert";
import { prepareJobConfig } from "../../../kernel/src/jobs/job-config.js";
import { trainSectionOf } from "../../../kernel/src/jobs/handlers/train-job-config.js";
import { readTrainJobSettings } from "../../../kernel/src/jobs/handlers/train-deploy.js";

describe("prepareJobConfig()", () => {
  it("wraps a bare training config and makes its paths absolute", () => {
    const config = prepareJobConfig("multilabel-train", { source: { kind: "coco", path: "data/coco.json" }, num_epochs: 2, model: "polyp" }, "/proj", "/proj/job.json");
    assert.deepEqual(config, { model: "polyp", train: { source: { kind: "coco", path: "/proj/data/coco.json" }, num_epochs: 2 } });
  });
  it("keeps the nested form and resolves backbone and cache paths", () => {
    const config = prepareJobConfig("multilabel-train", { train: { source: { kind: "legacy-jsonl", path: "/d/a.jsonl" }, backbone: { kind: "onnx", path: "m.onnx" }, cache_dir: "cache" }, deploy: false }, "/p");
    assert.deepEqual(config, { deploy: false, train: { source: { kind: "legacy-jsonl", path: "/d/a.jsonl" }, backbone: { kind: "onnx", path: "/p/m.onnx" }, cache_dir: "/p/cache" } });
  });
  it("refuses an unknown training option before anything is queued", () => {
    assert.throws(() => prepareJobConfig("multilabel-train", { source: { kind: "coco", path: "a.json" }, epochs: 3 }, "/p", "job.json"), /Cannot read training config "job.json": "epochs" is not a known option/);
    assert.throws(() => prepareJobConfig("frame-importance-train", { train: { epochz: 1 } }, "/p"), /config\.train\.epochz is not a known option/);
  });
  it("accepts the server's flat frame-importance config", () => {
    const config = prepareJobConfig("frame-importance-train", { annotations: "ann.jsonl", framesRoot: "frames", modelName: "fi", numEpochs: 4 }, "/p");
    assert.deepEqual(config, { modelName: "fi", train: { numEpochs: 4, source: { annotations: "/p/ann.jsonl", framesRoot: "/p/frames" } } });
    assert.equal(readTrainJobSettings(config, "frame-importance").model, "fi");
  });
});

describe("trainSectionOf()", () => {
  it("turns a multilabel dataset path into a source by extension and lr into lrHead", () => {
    assert.deepEqual(trainSectionOf("multilabel-train", { dataset: "/d/t.csv", lr: 0.01, deploy: true }), { source: { kind: "frame-table", path: "/d/t.csv" }, lrHead: 0.01 });
    assert.throws(() => trainSectionOf("multilabel-train", { dataset: "/d/t.txt" }), /dataset "\/d\/t.txt" is not .jsonl \(legacy\), .json \(COCO\) or .csv/);
  });
});

describe("readTrainJobSettings()", () => {
  it("defaults to deploying without force and checks the gate fields", () => {
    assert.deepEqual(readTrainJobSettings({}, "multilabel"), { model: "multilabel", deploy: true, force: false, preflight: true });
    assert.deepEqual(readTrainJobSettings({ gate: { metric: "test.mae", threshold: 0.01 } }, "m").gate, { metric: "test.mae", threshold: 0.01 });
    assert.throws(() => readTrainJobSettings({ gate: { threshold: -1 } }, "m"), /config\.gate\.threshold must be a number >= 0/);
    assert.throws(() => readTrainJobSettings({ deploy: "yes" }, "m"), /config\.deploy must be true or false/);
  });
});
