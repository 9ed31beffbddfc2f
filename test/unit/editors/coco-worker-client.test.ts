import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { CocoWorkerClient } from "../../../extension/src/editors/coco/coco-worker-client.js";
import { CocoWorkerError, type WorkerPreview } from "../../../extension/src/editors/coco/coco-worker-protocol.js";

const NO_FILTER = { categories: [], sources: [], statuses: [], minConfidence: 0, maxConfidence: 1 };

/** A COCO file with fields trainset does not know, at every level. */
const COCO = {
  info: { description: "kept", vendor: { list: [1, 2, 3] } },
  images: [
    { id: 1, file_name: "a.jpg", width: 100, height: 80, flickr_url: "x" },
    { id: 2, file_name: "b.jpg", width: 100, height: 80 },
    { id: 3, file_name: "c.jpg", width: 100, height: 80 },
  ],
  annotations: [
    { id: 10, image_id: 1, category_id: 1, bbox: [1, 2, 3, 4], area: 12, iscrowd: 0, source: "template_matching", score: 0.9, note: "first" },
    { id: 11, image_id: 1, category_id: 2, bbox: [5, 5, 10, 10], source: "user_click" },
    { id: 12, image_id: 3, category_id: 1, bbox: [0, 0, 2, 2], score: 0.2, zzz: "last" },
  ],
  categories: [
    { id: 1, name: "cat", supercategory: "animal" },
    { id: 2, name: "dog" },
  ],
  vendor_field: "x",
};

describe("CocoWorkerClient (real worker thread)", function () {
  this.timeout(120_000);
  let dir: string;
  let workerPath: string;
  const clients: CocoWorkerClient[] = [];

  const start = (file: string, onPreview?: (preview: WorkerPreview) => void): CocoWorkerClient => {
    const client = new CocoWorkerClient(file, { workerPath, ...(onPreview === undefined ? {} : { onPreview }) });
    clients.push(client);
    return client;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "trainset-coco-worker-"));
    // The same bundle extension/scripts/build.mjs makes for dist/coco-worker.cjs.
    workerPath = join(dir, "coco-worker.cjs");
    await build({ entryPoints: [fileURLToPath(new URL("../../../extension/src/editors/coco/coco-worker.ts", import.meta.url))], outfile: workerPath, bundle: true, platform: "node", format: "cjs", target: "node20", logLevel: "warning" });
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.terminate()));
    await rm(dir, { recursive: true, force: true });
  });

  it("previews the first images, then their boxes, then opens with the summary and the first page", async () => {
    const file = join(dir, "preview.json");
    await writeFile(file, JSON.stringify(COCO, null, 2));
    await writeFile(join(dir, "a.jpg"), "not really a jpeg");
    const previews: WorkerPreview[] = [];
    const client = start(file, (preview) => previews.push(preview));
    const { summary, first } = await client.request("open", { source: file, documentPath: file, pageSize: 2 });
    assert.deepEqual(
      previews.map((p) => [p.withBoxes, p.images.map((i) => [i.id, i.fileName, i.annotations.map((a) => a.id)])]),
      [
        [
          false,
          [
            [1, "a.jpg", []],
            [2, "b.jpg", []],
          ],
        ],
        [
          true,
          [
            [1, "a.jpg", [10, 11]],
            [2, "b.jpg", []],
          ],
        ],
      ],
    );
    assert.deepEqual(previews[1]?.images[0]?.annotations[0], { id: 10, categoryId: 1, bbox: [1, 2, 3, 4], source: "template_matching", confidence: 0.9, status: "unverified" });
    assert.equal(previews[0]?.images[0]?.path, join(dir, "a.jpg"));
    assert.equal(previews[0]?.images[1]?.path, null, "b.jpg does not exist");
    assert.deepEqual({ ...summary, categories: summary.categories.map((c) => c.name) }, { kind: "coco", categories: ["cat", "dog"], sources: ["template_matching", "unknown", "user_click"], imageCount: 3, annotationCount: 3 });
    assert.equal(first.total, 3);
    assert.deepEqual(
      first.images.map((i) => [i.id, i.annotations.map((a) => a.id)]),
      [
        [1, [10, 11]],
        [2, []],
      ],
    );
    const page = await client.request("page", { filter: { ...NO_FILTER, sources: ["user_click"] }, offset: 0, limit: 10 });
    assert.deepEqual(
      page.images.map((i) => i.id),
      [1],
    );
    assert.equal(page.counts.annotations, 1);
  });

  it("edits, undoes and redoes, and the page shows each state", async () => {
    const file = join(dir, "edit.json");
    await writeFile(file, JSON.stringify(COCO));
    const client = start(file);
    await client.request("open", { source: file, documentPath: file, pageSize: 10 });
    const edit = await client.request("edit", { op: { op: "setBox", annId: 12, bbox: [7, 8, 9, 10] }, rejectMode: "flag" });
    assert.ok(edit !== null);
    assert.equal(edit.label, "Move box");
    assert.deepEqual(edit.imageIds, [3]);
    const bboxOf12 = async (): Promise<unknown> => (await client.request("image", { imageId: 3 }))?.annotations[0]?.bbox;
    assert.deepEqual(await bboxOf12(), [7, 8, 9, 10]);
    assert.deepEqual(await client.request("undo", { editId: edit.editId }), { imageIds: [3] });
    assert.deepEqual(await bboxOf12(), [0, 0, 2, 2]);
    await client.request("redo", { editId: edit.editId });
    assert.deepEqual(await bboxOf12(), [7, 8, 9, 10]);
    assert.equal(await client.request("edit", { op: { op: "verify", annIds: [999] }, rejectMode: "flag" }), null, "unknown ids change nothing");
  });

  it("saves atomically, keeping unknown fields, key order and annotation order", async () => {
    const file = join(dir, "save.json");
    await writeFile(file, JSON.stringify(COCO, null, 2) + "\n");
    const client = start(file);
    await client.request("open", { source: file, documentPath: file, pageSize: 10 });
    await client.request("edit", { op: { op: "verify", annIds: [10] }, rejectMode: "flag" });
    await client.request("edit", { op: { op: "reject", annIds: [11] }, rejectMode: "remove" });
    await client.request("save", { target: file });
    const text = await readFile(file, "utf8");
    assert.match(text, /^\{\n {2}"info"/, "the two-space layout is kept");
    const saved = JSON.parse(text) as typeof COCO & { annotations: Array<Record<string, unknown>> };
    assert.deepEqual(Object.keys(saved), Object.keys(COCO));
    assert.deepEqual(saved.info, COCO.info);
    assert.deepEqual(saved.images, COCO.images);
    assert.deepEqual(saved.categories, COCO.categories);
    assert.equal(saved.vendor_field, "x");
    assert.deepEqual(saved.annotations, [{ ...COCO.annotations[0], verified: true }, COCO.annotations[2]]);
    assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith(".tmp")), [], "no temp file is left");
  });

  it("rejects with a parse error that names the file", async () => {
    const file = join(dir, "broken.json");
    await writeFile(file, '{"images": [{"id": 1}], "annotations": [');
    const client = start(file);
    await assert.rejects(client.request("open", { source: file, documentPath: file, pageSize: 10 }), (error: unknown) => {
      assert.ok(error instanceof CocoWorkerError);
      assert.equal(error.code, "PARSE_ERROR");
      assert.equal(error.file, file);
      assert.match(error.message, /^Cannot read COCO ".*broken\.json"/);
      return true;
    });
  });

  it("rejects with a read error that names a missing file, and refuses requests before the file is parsed", async () => {
    const file = join(dir, "missing.json");
    const client = start(file);
    await assert.rejects(client.request("page", { filter: NO_FILTER, offset: 0, limit: 10 }), /Cannot use COCO ".*missing\.json": it is still being read/);
    await assert.rejects(client.request("open", { source: file, documentPath: file, pageSize: 10 }), (error: unknown) => error instanceof CocoWorkerError && error.code === "IO_ERROR" && error.message.includes(file));
  });

  it("rejects pending and later requests once terminated", async () => {
    const file = join(dir, "closed.json");
    await writeFile(file, JSON.stringify(COCO));
    const client = start(file);
    const opening = assert.rejects(client.request("open", { source: file, documentPath: file, pageSize: 10 }), /the document was closed/);
    await client.terminate();
    await opening;
    await assert.rejects(client.request("page", { filter: NO_FILTER, offset: 0, limit: 1 }), CocoWorkerError);
  });
});
