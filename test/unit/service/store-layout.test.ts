import assert from "node:assert/strict";
import { resolveStoreRoot, storePaths } from "../../../kernel/src/service/store-layout.js";
import { unsafeNameReason } from "../../../kernel/src/service/safe-name.js";

describe("resolveStoreRoot()", () => {
  it("prefers --store, then TRAINSET_STORE, then .trainset in the workspace", () => {
    assert.equal(resolveStoreRoot({ store: "s", cwd: "/w", env: { TRAINSET_STORE: "/e" } }), "/w/s");
    assert.equal(resolveStoreRoot({ cwd: "/w", env: { TRAINSET_STORE: "/e" } }), "/e");
    assert.equal(resolveStoreRoot({ cwd: "/w", env: {} }), "/w/.trainset");
  });
});

describe("storePaths()", () => {
  it("lays out annotations, audit log, models, jobs and runs under the root", () => {
    const p = storePaths("/r");
    assert.equal(p.annotationFile("ana"), "/r/annotations/ana/annotations.jsonl");
    assert.equal(p.auditLog, "/r/audit.jsonl");
    assert.equal(p.modelDir("fi"), "/r/models/fi");
    assert.equal(p.jobs, "/r/jobs");
    assert.equal(p.runDir("r1"), "/r/runs/r1");
  });
});

describe("unsafeNameReason()", () => {
  it("accepts plain ids and names every way an id could escape the store", () => {
    assert.equal(unsafeNameReason("UserId", "default-user"), undefined);
    assert.equal(unsafeNameReason("UserId", ""), "UserId cannot be null or empty");
    assert.equal(unsafeNameReason("UserId", null), "UserId cannot be null or empty");
    assert.match(unsafeNameReason("UserId", "..") ?? "", /contains "\.\."/);
    assert.match(unsafeNameReason("UserId", "a/b") ?? "", /path separator or NUL/);
    assert.match(unsafeNameReason("UserId", "a\\b") ?? "", /path separator or NUL/);
    assert.match(unsafeNameReason("UserId", "a\0") ?? "", /path separator or NUL/);
    assert.match(unsafeNameReason("UserId", "x".repeat(129)) ?? "", /longer than 128/);
  });
});
