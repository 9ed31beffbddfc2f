import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { splitCoco } from "trainset";
import { useTempDir } from "../../support/tmp.js";

describe("splitFile() on COCO", () => {
  const dir = useTempDir();

  function coco(): Record<string, unknown> {
    const images = Array.from({ length: 60 }, (_, i) => ({
      id: i + 1,
      file_name: `img_${i + 1}.png`,
      width: 100,
      height: 80,
      video_id: `v${i % 12}`,
    }));
    const annotations: Record<string, unknown>[] = [];
    let id = 1;
    images.forEach((image, i) => {
      for (let c = 0; c < 4; c++)
        if ((i * (c + 3)) % (c + 2) === 0)
          annotations.push({
            id: id++,
            image_id: image.id,
            category_id: c,
            bbox: [1, 2, 10, 10],
            area: 100,
            iscrowd: 0,
          });
    });
    return {
      info: { description: "test", version: "1.0" },
      licenses: [{ id: 1, name: "MIT" }],
      images,
      annotations,
      categories: ["button", "icon", "menu", "field"].map((name, c) => ({
        id: c,
        name,
        supercategory: c < 2 ? "control" : "layout",
      })),
    };
  }

  it("keeps only each split's images and their annotations, with categories intact", async () => {
    const input = join(dir(), "dataset.json");
    const data = coco();
    await writeFile(input, JSON.stringify(data));
    const out = join(dir(), "splits");
    const { report } = await splitCoco(input, {
      out,
      ratios: "0.7,0.2,0.1",
      groupBy: "video_id",
      seed: 3,
    });
    const images = new Set<number>();
    const videos = new Map<string, string>();
    let annotations = 0;
    for (const split of ["train", "val", "test"]) {
      const part = JSON.parse(await readFile(join(out, `${split}.json`), "utf8")) as {
        images: { id: number; video_id: string }[];
        annotations: { image_id: number; id: number }[];
        categories: unknown;
        info: unknown;
        licenses: unknown;
      };
      assert.deepEqual(Object.keys(part), [
        "info",
        "licenses",
        "images",
        "annotations",
        "categories",
      ]);
      assert.deepEqual(part.categories, data["categories"]);
      assert.deepEqual(part.info, data["info"]);
      const mine = new Set(part.images.map((im) => im.id));
      for (const a of part.annotations)
        assert.ok(mine.has(a.image_id), `${split}: annotation ${a.id} points outside the split`);
      for (const im of part.images) {
        assert.ok(!images.has(im.id));
        images.add(im.id);
        assert.equal(videos.get(im.video_id) ?? split, split, `video ${im.video_id} in two splits`);
        videos.set(im.video_id, split);
      }
      annotations += part.annotations.length;
    }
    assert.equal(images.size, 60);
    assert.equal(annotations, (data["annotations"] as unknown[]).length);
    assert.equal(report.whole.groups, 12);
    assert.deepEqual(
      report.whole.labels.map((l) => l.label),
      ["button", "field", "icon", "menu"],
    );
  });

  it("groups images by a mapping file and labels them by a category field", async () => {
    const input = join(dir(), "dataset.json");
    await writeFile(input, JSON.stringify(coco()));
    const map = join(dir(), "groups.csv");
    await writeFile(
      map,
      "file_name,group\r\n" +
        Array.from({ length: 60 }, (_, i) => `img_${i + 1}.png,session-${i % 6}`).join("\r\n") +
        "\r\n",
    );
    const { report } = await splitCoco(input, {
      out: join(dir(), "o"),
      groupMap: map,
      labels: "supercategory",
      ratios: "train=0.5,test=0.5",
    });
    assert.equal(report.whole.groups, 6);
    assert.equal(report.groupBy, `group map ${map}`);
    assert.deepEqual(
      report.whole.labels.map((l) => l.label),
      ["control", "layout"],
    );
    await writeFile(map, "file_name,group\r\nimg_1.png,a\r\n");
    await assert.rejects(
      splitCoco(input, { out: join(dir(), "o"), groupMap: map }),
      /image 2 \("img_2\.png"\) is not in the group map/,
    );
  });
});
