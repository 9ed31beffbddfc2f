import assert from "node:assert/strict";
import { parseTrainConfig, resolveConfigPaths } from "trainset";

describe("parseTrainConfig() with a postgres source", () => {
  const base = { backbone: { kind: "builtin" } };

  it("accepts lx-ai's dataset_id, labelset_id and labelset_version and keeps the URL as given", () => {
    const config = parseTrainConfig({ ...base, source: { kind: "postgres", path: "postgres://lx@db:5432/endoreg", dataset_id: 1, labelset_id: 2, labelset_version: 2, media_root: "media" } });
    assert.deepEqual(config.source, { kind: "postgres", path: "postgres://lx@db:5432/endoreg", datasetId: 1, labelsetId: 2, labelsetVersion: 2, mediaRoot: "media" });
    const resolved = resolveConfigPaths(config, "/srv/project");
    assert.equal(resolved.source.path, "postgres://lx@db:5432/endoreg");
    assert.equal(resolved.source.kind === "postgres" ? resolved.source.mediaRoot : "", "/srv/project/media");
  });

  it("refuses a URL that holds a password and a missing labelset version, naming the field", () => {
    assert.throws(() => parseTrainConfig({ ...base, source: { kind: "postgres", path: "postgres://lx:hunter2@db/endoreg", dataset_id: 1, labelset_id: 2, labelset_version: 2 } }), /source\.path.*must not hold a password/);
    assert.throws(() => parseTrainConfig({ ...base, source: { kind: "postgres", path: "postgres://lx@db/endoreg", dataset_id: 1, labelset_id: 2 } }), /source\.labelset_version.*whole number/);
    assert.throws(() => parseTrainConfig({ ...base, source: { kind: "postgres", path: "/tmp/file.jsonl", dataset_id: 1, labelset_id: 2, labelset_version: 1 } }), /must be a postgres:\/\/ URL/);
  });
});
