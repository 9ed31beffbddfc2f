import { strict as assert } from "node:assert";
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { storeAnnotations } from "../../../kernel/src/service/annotation-store.js";
import { storePaths } from "../../../kernel/src/service/store-layout.js";
import { readImportanceData } from "../../../kernel/src/train/importance-items.js";
import { splitRowsByGroup } from "../../../kernel/src/train/task-run.js";
import { useTempDir } from "../../support/tmp.js";

describe("readImportanceData() on an annotation-store file", () => {
  const tmp = useTempDir();

  it("groups frames of one folder by the video id that storeAnnotations keeps in metadata", async () => {
    const root = tmp();
    const items = Array.from({ length: 20 }, (_, i) => ({ framePath: `/frames/f${i}.jpg`, rating: (i % 10) / 10, metadata: { video_id: `v${i % 10}` } }));
    await storeAnnotations(root, "alice", items);
    const data = await readImportanceData({ annotations: storePaths(root).annotationFile("alice") });
    assert.equal(new Set(data.groups).size, 10);
    assert.equal(data.groups[3], "v3");
    const [train, val, test] = splitRowsByGroup(data.groups, 0.2, 0.1, 42);
    assert.ok(val.length > 0 && test.length > 0, `val ${val.length}, test ${test.length}`);
    const groupsOf = (rows: number[]): Set<string> => new Set(rows.map((r) => data.groups[r] ?? ""));
    for (const g of groupsOf(test)) assert.ok(!groupsOf(train).has(g), `video ${g} is in train and test`);
  });

  it("reads metadata.group before metadata.video_id", async () => {
    const root = tmp();
    await storeAnnotations(root, "bob", [{ framePath: "/frames/a.jpg", rating: 0.5, metadata: { group: "g1", video_id: "v9" } }]);
    const data = await readImportanceData({ annotations: storePaths(root).annotationFile("bob") });
    assert.deepEqual(data.groups, ["g1"]);
  });

  it("skips a torn tail and an incomplete batch the way getAnnotations() does", async () => {
    const root = tmp();
    await storeAnnotations(root, "carol", [{ framePath: "/frames/a.jpg", rating: 0.5 }]);
    const file = storePaths(root).annotationFile("carol");
    await appendFile(file, '{"frame_path":"/frames/b.jpg","rating":0.1,"batch":"x1","batch_size":3}\n{"frame_path":"/frames/c.jpg","rating":0.2,"batch":"x1","batch_size":3}\n{"frame_path":"/frames/d.j');
    const data = await readImportanceData({ annotations: file });
    assert.deepEqual(data.images, [join("/frames", "a.jpg")]);
  });

  it("rejects a broken line in the middle with its line number", async () => {
    const root = tmp();
    const file = storePaths(root).annotationFile("dave");
    await storeAnnotations(root, "dave", [{ framePath: "/frames/a.jpg", rating: 0.5 }]);
    await appendFile(file, 'not json\n{"frame_path":"/frames/b.jpg","rating":0.1}\n');
    await assert.rejects(readImportanceData({ annotations: file }), /line 2: line 2 is not valid JSON/);
  });
});
