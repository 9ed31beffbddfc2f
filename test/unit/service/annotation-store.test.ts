import assert from "node:assert/strict";
import { appendFile, readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import {
  annotationStats,
  clearAnnotations,
  getAnnotations,
  listAnnotationUsers,
  storeAnnotations,
} from "../../../kernel/src/service/annotation-store.js";
import { storePaths } from "../../../kernel/src/service/store-layout.js";
import { isTrainsetError } from "../../../kernel/src/util/errors.js";
import { useTempDir } from "../../support/tmp.js";

describe("annotation store", () => {
  const tmp = useTempDir();

  it("stores, gets and summarises a user's annotations in <root>/annotations/<user>/annotations.jsonl", async () => {
    const root = tmp();
    await storeAnnotations(root, "default-user", [
      { framePath: "frame001.jpg", rating: 0.9, timestamp: "2025-11-03T12:00:00Z" },
      { framePath: "frame002.jpg", rating: 0.7, metadata: { video: "a.mp4" }, timestamp: "2025-11-03T14:30:00Z" },
    ]);
    await storeAnnotations(root, "default-user", [{ framePath: "frame003.jpg", rating: 0.5, timestamp: "2025-11-03T13:00:00Z" }]);
    const file = storePaths(root).annotationFile("default-user");
    const lines = (await readFile(file, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual({ ...lines[1], batch: "id" }, { frame_path: "frame002.jpg", rating: 0.7, timestamp: "2025-11-03T14:30:00Z", metadata: { video: "a.mp4" }, batch: "id", batch_size: 2 });
    assert.equal(lines[0]?.batch, lines[1]?.batch);
    assert.equal(lines[2]?.batch, undefined, "a single annotation needs no batch tag");
    const { annotations } = await getAnnotations(root, "default-user");
    assert.deepEqual(annotations.map((a) => a.framePath), ["frame001.jpg", "frame002.jpg", "frame003.jpg"]);
    const stats = await annotationStats(root, "default-user");
    assert.equal(stats.totalAnnotations, 3);
    assert.ok(Math.abs(stats.averageRating - 0.7) < 1e-9);
    assert.equal(stats.oldestAnnotation, "2025-11-03T12:00:00.000Z");
    assert.equal(stats.newestAnnotation, "2025-11-03T14:30:00.000Z");
    assert.deepEqual(await listAnnotationUsers(root), ["default-user"]);
  });

  it("reads Aura's PascalCase lines too", async () => {
    const root = tmp();
    const file = storePaths(root).annotationFile("u");
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, '{"FramePath":"f.jpg","Rating":0.25,"Timestamp":"2025-11-03T12:00:00Z","Metadata":{"k":1}}\n');
    const { annotations } = await getAnnotations(root, "u");
    assert.deepEqual(annotations[0], { framePath: "f.jpg", rating: 0.25, timestamp: "2025-11-03T12:00:00Z", metadata: { k: 1 }, line: 1 });
  });

  const rejects = async (p: Promise<unknown>, message: string, field?: string): Promise<void> => {
    await assert.rejects(p, (error: unknown) => {
      assert.ok(isTrainsetError(error, "VALIDATION_ERROR"), String(error));
      assert.equal(error.message, message);
      if (field !== undefined) assert.equal(error.field, field);
      return true;
    });
  };

  it("gives the seed's message for a rating out of range and writes nothing of the batch", async () => {
    const root = tmp();
    await rejects(
      storeAnnotations(root, "u", [{ framePath: "ok.jpg", rating: 0.5 }, { framePath: "bad.jpg", rating: 1.5 }]),
      "Cannot store annotations: Rating must be between 0.0 and 1.0, got 1.5 (annotation 1)",
      "annotations[1].rating",
    );
    await rejects(storeAnnotations(root, "u", [{ framePath: "n.jpg", rating: -0.1 }]), "Cannot store annotations: Rating must be between 0.0 and 1.0, got -0.1 (annotation 0)");
    await rejects(storeAnnotations(root, "u", [{ framePath: "n.jpg", rating: Number.NaN }]), "Cannot store annotations: Rating must be between 0.0 and 1.0, got NaN (annotation 0)");
    assert.equal((await annotationStats(root, "u")).totalAnnotations, 0, "the valid first item was not written");
  });

  it("gives the seed's message for an empty frame path", async () => {
    await rejects(storeAnnotations(tmp(), "u", [{ framePath: "", rating: 0.5 }]), "Cannot store annotations: FramePath cannot be null or empty (annotation 0)", "annotations[0].framePath");
    await rejects(storeAnnotations(tmp(), "u", [{ framePath: "   ", rating: 0.5 }]), "Cannot store annotations: FramePath cannot be null or empty (annotation 0)");
  });

  it("gives the seed's message for an empty user id and refuses ids that could leave the store", async () => {
    const items = [{ framePath: "f.jpg", rating: 0.5 }];
    await rejects(storeAnnotations(tmp(), "", items), "Cannot store annotations: UserId cannot be null or empty", "userId");
    for (const bad of ["..", "../x", "a/b", "a\\b", "a\0b", "x..y"]) {
      await assert.rejects(storeAnnotations(tmp(), bad, items), /Cannot store annotations: UserId .* (contains a path separator or NUL|contains "\.\.")/);
    }
    await assert.rejects(getAnnotations(tmp(), "../x"), /Cannot get annotations: UserId/);
    await assert.rejects(clearAnnotations(tmp(), "/etc"), /Cannot clear annotations: UserId/);
  });

  it("clears a user's annotations only", async () => {
    const root = tmp();
    await storeAnnotations(root, "a", [{ framePath: "1.jpg", rating: 0.1 }]);
    await storeAnnotations(root, "b", [{ framePath: "2.jpg", rating: 0.2 }]);
    assert.deepEqual(await clearAnnotations(root, "a"), { userId: "a", removed: true });
    assert.deepEqual(await clearAnnotations(root, "a"), { userId: "a", removed: false });
    assert.equal((await annotationStats(root, "a")).totalAnnotations, 0);
    assert.equal((await annotationStats(root, "b")).totalAnnotations, 1);
  });

  it("hides the complete lines of a batch cut short by a crash, and removes them on the next store", async () => {
    const root = tmp();
    await storeAnnotations(root, "u", [{ framePath: "1.jpg", rating: 0.1 }, { framePath: "2.jpg", rating: 0.2 }]);
    const file = storePaths(root).annotationFile("u");
    const cut = '{"frame_path":"3.jpg","rating":0.3,"timestamp":"2026-01-01T00:00:00Z","batch":"b2","batch_size":3}\n';
    await appendFile(file, cut + cut.replace("3.jpg", "4.jpg") + '{"frame_path":"5.jpg","ra');
    const before = await getAnnotations(root, "u");
    assert.deepEqual(before.annotations.map((a) => a.framePath), ["1.jpg", "2.jpg"]);
    assert.deepEqual(before.issues.map((i) => i.rule).sort(), ["partial-batch", "torn-line"]);
    const r = await storeAnnotations(root, "u", [{ framePath: "6.jpg", rating: 0.6 }]);
    assert.equal(r.repair?.kind, "torn-line");
    assert.deepEqual({ ...r.partialBatch, savedTo: "" }, { batch: "b2", foundLines: 2, batchSize: 3, removedBytes: 2 * cut.length, savedTo: "" });
    assert.equal(await readFile(r.partialBatch?.savedTo ?? "", "utf8"), cut + cut.replace("3.jpg", "4.jpg"));
    const after = await getAnnotations(root, "u");
    assert.deepEqual(after.annotations.map((a) => a.framePath), ["1.jpg", "2.jpg", "6.jpg"]);
    assert.deepEqual(after.issues, []);
  });

  it("repairs and reports a torn tail from an older crash on the next store, and get skips it meanwhile", async () => {
    const root = tmp();
    await storeAnnotations(root, "u", [{ framePath: "1.jpg", rating: 0.1 }]);
    const file = storePaths(root).annotationFile("u");
    await appendFile(file, '{"frame_path":"2.jpg","rat');
    const before = await getAnnotations(root, "u");
    assert.equal(before.annotations.length, 1);
    assert.equal(before.issues[0]?.rule, "torn-line");
    const r = await storeAnnotations(root, "u", [{ framePath: "3.jpg", rating: 0.3 }]);
    assert.equal(r.repair?.kind, "torn-line");
    assert.equal(r.repair?.line, 2);
    const after = await getAnnotations(root, "u");
    assert.deepEqual(after.annotations.map((a) => a.framePath), ["1.jpg", "3.jpg"]);
    assert.deepEqual(after.issues, []);
  });
});
