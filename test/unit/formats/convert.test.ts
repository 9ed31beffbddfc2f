import assert from "node:assert/strict";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { convertCommand } from "../../../kernel/src/cli/commands/convert.js";
import type { CliIo } from "../../../kernel/src/cli/command.js";
import { readCoco, writeCoco, type CocoDataset } from "../../../kernel/src/formats/coco.js";
import { validateCoco } from "../../../kernel/src/formats/coco-validate.js";
import { cocoToRunRecord, runRecordToCoco } from "../../../kernel/src/formats/convert.js";
import { readRunRecordDataset } from "../../../kernel/src/formats/run-record-dataset.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";
import { contentId16 } from "../../../kernel/src/util/hashing.js";
import { useTempDir } from "../../support/tmp.js";
import { makePng, writeRunRecordFixture } from "./run-record-fixture.js";

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, "utf8")) as unknown;
}

describe("runRecordToCoco()", () => {
  const tmp = useTempDir();

  it("writes integer ids from 1, keeps category ids and qontinui's annotation fields", async () => {
    const fx = await writeRunRecordFixture(join(tmp(), "ds"));
    const coco = await runRecordToCoco(await readRunRecordDataset(fx.dir, { mode: "collect" }));
    assert.deepEqual(validateCoco(coco), []);
    assert.deepEqual(coco.images.map((i) => [i.id, i.file_name, i.width, i.height, i.run_record_id]), [
      [1, `images/${fx.a}.png`, 320, 240, fx.a],
      [2, `images/${fx.b}.png`, 200, 100, fx.b],
      [3, `images/${fx.c}.png`, 64, 48, fx.c], // no annotation file: size from the PNG header
    ]);
    assert.equal(coco.images[0]?.date_captured, "2023-11-14 22:13:20");
    assert.deepEqual(coco.categories, [
      { id: 0, name: "login_button" },
      { id: 1, name: "click_target" },
      { id: 2, name: "click_target_button" },
    ]);
    assert.deepEqual(coco.annotations[0], { id: 1, image_id: 1, category_id: 0, bbox: [100, 50, 120, 60], area: 7200, iscrowd: 0, confidence: 0.95, source: "template_matching", verified: false });
    assert.equal(coco.annotations[2]?.image_id, 2);
    assert.deepEqual((coco.annotations[2]?.inference_metadata as { strategy_used: string }).strategy_used, "edge_detection");
    assert.equal(coco.annotations.length, 3);
    assert.equal((coco.info?.run_record_metadata as { format: string }).format, "intermediate");
  });

  it("can leave out images without an annotation file", async () => {
    const fx = await writeRunRecordFixture(join(tmp(), "ds"));
    const coco = await runRecordToCoco(await readRunRecordDataset(fx.dir, { mode: "collect" }), { includeUnannotated: false });
    assert.deepEqual(coco.images.map((i) => i.run_record_id), [fx.a, fx.b]);
  });
});

describe("run-record -> COCO -> run-record", () => {
  const tmp = useTempDir();

  it("gives back the same manifest, annotation files, metadata and images, field by field", async () => {
    const fx = await writeRunRecordFixture(join(tmp(), "ds"));
    const original = await readRunRecordDataset(fx.dir, { mode: "collect" });
    const cocoPath = join(tmp(), "dataset.json");
    await writeCoco(cocoPath, await runRecordToCoco(original));
    const coco = await readCoco(cocoPath);
    const out = join(tmp(), "back");
    const result = await cocoToRunRecord(coco, { images: fx.dir, out });
    assert.deepEqual(result.warnings, []);
    assert.equal(result.images, 3);
    assert.equal(result.annotations, 3);
    assert.equal(result.manifestLines, 4);

    const back = await readRunRecordDataset(out, { mode: "collect" });
    assert.deepEqual(back.imageIds, original.imageIds);
    assert.deepEqual(back.manifest.map((l) => l.entry), original.manifest.map((l) => l.entry));
    for (const id of [fx.a, fx.b]) {
      const before = original.annotationFiles.get(id);
      const after = back.annotationFiles.get(id);
      assert.ok(before !== undefined && after !== undefined);
      assert.equal(after.image_width, before.image_width);
      assert.equal(after.image_height, before.image_height);
      assert.equal(after.image_filename, before.image_filename);
      assert.deepEqual(after.context, before.context);
      assert.equal(after.version, before.version);
      assert.equal(after.annotations.length, before.annotations.length);
      after.annotations.forEach((ann, i) => {
        const was = before.annotations[i];
        assert.deepEqual(ann.bbox, was?.bbox);
        assert.equal(ann.category_id, was?.category_id);
        assert.equal(ann.category_name, was?.category_name);
        assert.equal(ann.confidence, was?.confidence);
        assert.equal(ann.source, was?.source);
        assert.equal(ann.verified, was?.verified);
      });
      assert.deepEqual(after, before);
    }
    assert.equal(back.annotationFiles.has(fx.c), false, "no annotation file is invented for an image that had none");
    assert.deepEqual(back.metadata, original.metadata);
    for (const id of [fx.a, fx.b, fx.c]) {
      assert.deepEqual(await readFile(join(out, "images", `${id}.png`)), fx.png[id]);
    }
    assert.deepEqual(await readdir(join(out, "annotations")), [fx.a, fx.b].sort().map((id) => `${id}.json`));
  });
});

describe("cocoToRunRecord()", () => {
  const tmp = useTempDir();

  async function plainCoco(): Promise<{ coco: CocoDataset; images: string; ids: string[] }> {
    const images = join(tmp(), "train2017");
    await mkdir(images, { recursive: true });
    const pngs = [await makePng(64, 48, [1, 1, 1]), await makePng(32, 32, [2, 2, 2]), await makePng(64, 48, [1, 1, 1])];
    const names = ["000000000009.jpg", "000000000025.jpg", "000000000030.jpg"];
    for (let i = 0; i < 3; i++) await writeFile(join(images, names[i] as string), pngs[i] as Buffer);
    const coco: CocoDataset = {
      info: { description: "COCO 2017 Dataset", version: "1.0", date_created: "2017/09/01" },
      licenses: [{ id: 1, name: "CC" }],
      images: names.map((file_name, i) => ({ id: [9, 25, 30][i] as number, file_name, width: i === 1 ? 32 : 64, height: i === 1 ? 32 : 48, license: 1, date_captured: "2013-11-14 11:18:45" })),
      annotations: [
        { id: 101, image_id: 9, category_id: 1, bbox: [1, 2, 10, 20], area: 150.5, iscrowd: 0, segmentation: [[1, 2, 11, 2, 11, 22]] },
        { id: 102, image_id: 25, category_id: 18, bbox: [0, 0, 32, 32], area: 1024, iscrowd: 0 },
        { id: 103, image_id: 30, category_id: 18, bbox: [5, 5, 5, 5], area: 25, iscrowd: 1, segmentation: { counts: [0, 25], size: [48, 64] } },
        { id: 104, image_id: 30, category_id: 1, bbox: [1, 2, 10, 20], area: 150.5, iscrowd: 0, segmentation: [[1, 2, 11, 2, 11, 22]] },
      ],
      categories: [
        { id: 1, name: "person", supercategory: "person" },
        { id: 18, name: "dog", supercategory: "animal" },
      ],
    };
    return { coco, images, ids: pngs.map((p) => contentId16(p)) };
  }

  it("hashes images into images/<16-hex>.<ext>, merges identical images and keeps COCO's extra box fields", async () => {
    const { coco, images, ids } = await plainCoco();
    const out = join(tmp(), "rr");
    const result = await cocoToRunRecord(coco, { images, out });
    assert.equal(result.duplicateImages, 1);
    assert.equal(result.images, 2);
    assert.equal(result.annotations, 3, "the repeated box of the duplicate image is merged away");
    assert.ok(result.warnings.some((w) => /not 0\.\.n-1/.test(w)));
    const ds = await readRunRecordDataset(out, { mode: "collect" });
    assert.deepEqual(ds.imageIds, [ids[0], ids[1]]);
    assert.deepEqual(ds.manifest.map((l) => [l.entry.id, l.entry.is_new, l.entry.image]), [
      [ids[0], true, `images/${ids[0]}.jpg`],
      [ids[1], true, `images/${ids[1]}.jpg`],
      [ids[0], false, `images/${ids[0]}.jpg`],
    ]);
    assert.equal(ds.manifest[0]?.entry.timestamp, Date.UTC(2013, 10, 14, 11, 18, 45) / 1000);
    const first = ds.annotationFiles.get(ids[0] as string);
    assert.deepEqual(first?.annotations.map((a) => [a.category_id, a.category_name, a.confidence, a.source, a.verified, a.area, a.iscrowd]), [
      [1, "person", 1, "coco", false, 150.5, undefined],
      [18, "dog", 1, "coco", false, undefined, 1],
    ]);
    assert.deepEqual(ds.metadata?.category_map, { person: 1, dog: 18 });
    assert.deepEqual(ds.metadata?.categories, [
      { id: 1, name: "person", supercategory: "person" },
      { id: 18, name: "dog", supercategory: "animal" },
    ]);
    assert.equal(ds.metadata?.total_images, 2);
    assert.equal(ds.metadata?.total_annotations, 3);

    // ...and back to COCO: boxes, segmentation, area and crowd flags survive.
    const again = await runRecordToCoco(ds);
    assert.deepEqual(again.annotations.map((a) => [a.category_id, a.bbox, a.area, a.iscrowd, a.segmentation]), [
      [1, [1, 2, 10, 20], 150.5, 0, [[1, 2, 11, 2, 11, 22]]],
      [18, [5, 5, 5, 5], 25, 1, { counts: [0, 25], size: [48, 64] }],
      [18, [0, 0, 32, 32], 1024, 0, undefined],
    ]);
  });

  it("numbers string category ids 0..n-1 and keeps the COCO id as coco_id", async () => {
    const { coco, images } = await plainCoco();
    coco.categories = [
      { id: "p", name: "person" },
      { id: "d", name: "dog" },
    ];
    for (const ann of coco.annotations) ann.category_id = ann.category_id === 1 ? "p" : "d";
    const out = join(tmp(), "rr");
    const result = await cocoToRunRecord(coco, { images, out });
    assert.ok(result.warnings.some((w) => /numbered 0\.\.n-1/.test(w)));
    const meta = (await readJson(join(out, "metadata.json"))) as { categories: unknown };
    assert.deepEqual(meta.categories, [
      { id: 0, name: "person", coco_id: "p" },
      { id: 1, name: "dog", coco_id: "d" },
    ]);
  });

  it("hard-links images with link: true", async () => {
    const { coco, images, ids } = await plainCoco();
    const out = join(tmp(), "rr");
    await cocoToRunRecord(coco, { images, out, link: true });
    const a = await stat(join(images, "000000000009.jpg"));
    const b = await stat(join(out, "images", `${ids[0]}.jpg`));
    assert.equal(a.ino, b.ino);
  });

  it("refuses a folder that already holds a manifest, and names a missing image", async () => {
    const { coco, images } = await plainCoco();
    const out = join(tmp(), "rr");
    await mkdir(out, { recursive: true });
    await writeFile(join(out, "manifest.jsonl"), "");
    await assert.rejects(cocoToRunRecord(coco, { images, out }), (e: unknown) => e instanceof TrainsetError && e.code === "CONFLICT");
    (coco.images[1] as { file_name: string }).file_name = "missing.jpg";
    await assert.rejects(cocoToRunRecord(coco, { images, out: join(tmp(), "rr2") }), /COCO image 25: "missing.jpg" is not in/);
  });
});

function memoryIo(cwd: string): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = "";
  let e = "";
  stdout.on("data", (d: Buffer) => (o += d.toString()));
  stderr.on("data", (d: Buffer) => (e += d.toString()));
  return { io: { stdout, stderr, interactive: false, cwd, env: {}, signal: new AbortController().signal }, out: () => o, err: () => e };
}

describe("trainset convert", () => {
  const tmp = useTempDir();

  it("converts a run-record folder to <dir>/dataset.json by default, then back with --to run-record", async () => {
    const fx = await writeRunRecordFixture(join(tmp(), "ds"));
    const first = memoryIo(tmp());
    assert.equal(await convertCommand.run(["ds", "--to", "coco"], first.io), 0);
    assert.match(first.out(), /Wrote .*ds\/dataset\.json: 3 images, 3 annotations, 3 categories/);
    assert.match(first.err(), /warning: .*does not exist; qontinui writes one only for images with boxes/);
    const coco = (await readJson(join(fx.dir, "dataset.json"))) as CocoDataset;
    assert.ok(coco.images.every((i) => typeof i.id === "number") && coco.annotations.every((a) => typeof a.id === "number" && a.id >= 1));

    const second = memoryIo(tmp());
    assert.equal(await convertCommand.run(["ds/dataset.json", "--to", "run-record", "--out", "back", "--images", "ds", "--json"], second.io), 0);
    const result = JSON.parse(second.out()) as { images: number; annotations: number; manifestLines: number };
    assert.deepEqual([result.images, result.annotations, result.manifestLines], [3, 3, 4]);
  });

  it("stops with a validation error when the input has errors", async () => {
    const fx = await writeRunRecordFixture(join(tmp(), "ds"));
    await writeFile(join(fx.dir, "annotations", `${fx.a}.json`), "{not json");
    const run = memoryIo(tmp());
    await assert.rejects(convertCommand.run(["ds", "--to", "coco"], run.io), (e: unknown) => e instanceof TrainsetError && e.code === "VALIDATION_ERROR" && /has 1 error/.test(e.message));
    assert.match(run.err(), /error: the annotation file is not valid JSON/);
    await assert.rejects(stat(join(fx.dir, "dataset.json")), /ENOENT/);
  });

  it("rejects bad usage", async () => {
    await writeRunRecordFixture(join(tmp(), "ds"));
    const run = memoryIo(tmp());
    await assert.rejects(convertCommand.run(["ds", "--to", "yolo"], run.io), /--to must be coco or run-record/);
    await assert.rejects(convertCommand.run(["ds", "--to", "run-record", "--out", "x"], run.io), /is a folder; --to run-record converts a COCO file/);
    await assert.rejects(convertCommand.run(["ds/metadata.json", "--to", "run-record"], run.io), /needs --out/);
  });
});
