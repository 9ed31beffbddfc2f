import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  contentId16,
  FRAME_TABLE_FIELDS,
  readFrameTable,
  readLegacyJsonl,
  splitCharts,
  splitCoco,
  splitFile,
  splitFrameTable,
  splitLegacyJsonl,
  splitManifest,
  splitPairs,
  writeFrameTable,
  writeLegacyJsonl,
  writePairsJsonl,
  type FrameAnnotationRow,
  type PairsRecord,
  type SplitFileReport,
} from "trainset";
import { useTempDir } from "../../support/tmp.js";
import { syntheticExams } from "./fixtures.js";

async function readReport(dir: string): Promise<SplitFileReport> {
  return JSON.parse(await readFile(join(dir, "split_report.json"), "utf8")) as SplitFileReport;
}

describe("splitFile() on legacy JSONL", () => {
  const dir = useTempDir();
  const records = syntheticExams({
    exams: 200,
    rows: 4000,
    prevalence: [0.03, 0.1, 0.25],
    seed: 5,
  });

  it("writes one JSONL per split holding every record once, with the examination kept whole", async () => {
    const input = join(dir(), "legacy_img_dicts.jsonl");
    await writeLegacyJsonl(input, records);
    const out = join(dir(), "splits");
    const { report, files } = await splitLegacyJsonl(input, { out });
    assert.deepEqual((await readdir(out)).sort(), [
      "split_report.json",
      "test.jsonl",
      "train.jsonl",
      "val.jsonl",
    ]);
    assert.equal(files.length, 4);
    const seen = new Map<string, string>();
    const exams = new Map<string, string>();
    for (const split of ["train", "val", "test"]) {
      const { records: got } = await readLegacyJsonl(join(out, `${split}.jsonl`));
      assert.equal(got.length, report.splits.find((s) => s.name === split)?.samples);
      for (const { record } of got) {
        assert.ok(!seen.has(String(record.old_id)), `old_id ${String(record.old_id)} twice`);
        seen.set(String(record.old_id), split);
        const exam = String(record.old_examination_id);
        assert.equal(exams.get(exam) ?? split, split, `examination ${exam} in two splits`);
        exams.set(exam, split);
      }
    }
    assert.equal(seen.size, records.length);
    const onDisk = await readReport(out);
    assert.equal(onDisk.format, "legacy-jsonl");
    assert.equal(onDisk.groupBy, "old_examination_id");
    assert.deepEqual(onDisk.files, { train: "train.jsonl", val: "val.jsonl", test: "test.jsonl" });
    const common = onDisk.splits.flatMap((s) =>
      s.labels.filter((l) => l.label === "l2").map((l) => l.relativeDeviation ?? 1),
    );
    assert.ok(Math.max(...common) <= 0.05, JSON.stringify(common));
  });

  it("writes byte-identical files for the same input and seed", async () => {
    const input = join(dir(), "legacy.jsonl");
    await writeLegacyJsonl(input, records);
    for (const options of [
      {},
      { folds: 4 },
      { mode: "lx-ai" as const },
      { mode: "random-groups" as const },
    ]) {
      await splitFile(input, { out: join(dir(), "a"), seed: 11, ...options });
      await splitFile(input, { out: join(dir(), "b"), seed: 11, ...options });
      const names = (await readdir(join(dir(), "a"))).sort();
      assert.deepEqual((await readdir(join(dir(), "b"))).sort(), names);
      for (const name of names) {
        assert.ok(
          (await readFile(join(dir(), "a", name))).equals(await readFile(join(dir(), "b", name))),
          `${JSON.stringify(options)}: ${name} differs`,
        );
      }
    }
  });

  it("names the line and the field when a chosen group field is missing", async () => {
    const input = join(dir(), "legacy.jsonl");
    await writeFile(
      input,
      [
        '{"labels":["a"],"old_examination_id":1,"old_id":1,"filename":"1.jpg","site":"x"}',
        '{"labels":["a"],"old_examination_id":2,"old_id":2,"filename":"2.jpg"}',
        "",
      ].join("\n"),
    );
    await assert.rejects(
      splitFile(input, { out: join(dir(), "o"), groupBy: "site" }),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(
          error.message,
          /Cannot split ".*legacy\.jsonl": line 2 has no group field "site"/,
        );
        assert.equal((error as { line?: number }).line, 2);
        assert.equal((error as { field?: string }).field, "site");
        return true;
      },
    );
  });

  it("refuses to stratify a file without a single label, and says what to do", async () => {
    const input = join(dir(), "legacy.jsonl");
    await writeLegacyJsonl(
      input,
      [1, 2, 3, 4].map((i) => ({
        labels: i % 2 === 0 ? null : [],
        old_examination_id: i,
        old_id: i,
        filename: `${i}.jpg`,
      })),
    );
    await assert.rejects(
      splitFile(input, { out: join(dir(), "o") }),
      /no sample has a label in labels.*--split-mode random-groups/,
    );
    const { report } = await splitFile(input, {
      out: join(dir(), "o"),
      mode: "random-groups",
      ratios: "0.5,0.5",
    });
    assert.equal(report.whole.samples, 4);
  });

  it("rejects ratios that do not sum to 1 before reading anything", async () => {
    await assert.rejects(
      splitFile(join(dir(), "missing.jsonl"), { out: dir(), ratios: "train=0.8,val=0.3" }),
      { name: "RangeError", message: /sum to 1\.1, not 1/ },
    );
  });
});

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

describe("splitFile() on a frame table", () => {
  const dir = useTempDir();

  function rows(): FrameAnnotationRow[] {
    const out: FrameAnnotationRow[] = [];
    let id = 1;
    for (let v = 1; v <= 15; v++) {
      for (let f = 0; f < 8; f++) {
        const frameId = v * 100 + f;
        ["polyp", "blood", "outside"].forEach((label, l) => {
          out.push({
            annotation_id: id++,
            video_id: v,
            video_hash: `h${v}`,
            frame_id: frameId,
            frame_number: f,
            frame_relative_path: `frame_${frameId}.jpg`,
            frame_timestamp: null,
            label_id: l + 1,
            label_name: label,
            value: (frameId + l * 3) % (l + 2) === 0,
            float_value: null,
            annotator: null,
            information_source_id: 1,
            information_source_name: "manual_annotation",
            model_meta_id: null,
            date_created: "2025-01-01T00:00:00",
            date_modified: "2025-01-01T00:00:00",
          });
        });
      }
    }
    return out;
  }

  it("splits whole frames and whole videos, counting only true rows as labels", async () => {
    const input = join(dir(), "annotations.csv");
    const all = rows();
    await writeFrameTable(input, all);
    const out = join(dir(), "splits");
    const { report } = await splitFrameTable(input, {
      out,
      ratios: "train=0.6,val=0.2,test=0.2",
      seed: 2,
    });
    assert.equal(report.unit, "frames");
    assert.equal(report.whole.samples, 15 * 8);
    assert.equal(report.whole.groups, 15);
    const truePolypFrames = new Set(
      all.filter((r) => r.value && r.label_name === "polyp").map((r) => r.frame_id),
    ).size;
    assert.equal(report.whole.labels.find((l) => l.label === "polyp")?.positives, truePolypFrames);
    const videoSplit = new Map<number, string>();
    let count = 0;
    for (const split of ["train", "val", "test"]) {
      const text = await readFile(join(out, `${split}.csv`), "utf8");
      assert.ok(text.startsWith(FRAME_TABLE_FIELDS.join(",") + "\r\n"));
      const table = await readFrameTable(join(out, `${split}.csv`));
      count += table.rows.length;
      const perFrame = new Map<number, number>();
      for (const row of table.rows) {
        assert.equal(
          videoSplit.get(row.video_id) ?? split,
          split,
          `video ${row.video_id} in two splits`,
        );
        videoSplit.set(row.video_id, split);
        perFrame.set(row.frame_id, (perFrame.get(row.frame_id) ?? 0) + 1);
      }
      for (const n of perFrame.values()) assert.equal(n, 3);
    }
    assert.equal(count, all.length);
  });

  it("refuses a group field that is not a column", async () => {
    const input = join(dir(), "annotations.json");
    await writeFrameTable(input, rows());
    await assert.rejects(
      splitFrameTable(input, { out: dir(), groupBy: "patient" }),
      /--group-by "patient" is not a column of the frame table/,
    );
  });
});

describe("splitFile() on preference pairs and run records", () => {
  const dir = useTempDir();

  it("keeps each project and timestamp together and writes JSONL back", async () => {
    const records: PairsRecord[] = Array.from({ length: 90 }, (_, i) => ({
      project: `p${i % 3}`,
      timestamp: `20240101_0000${String(i % 45).padStart(2, "0")}`,
      chosen_path: `raw/${i}.png`,
      chosen_stage: i % 4,
      neg_paths: [`raw/${i}b.png`],
      neg_stages: [0],
      was_cropped: false,
    }));
    const input = join(dir(), "historical.jsonl");
    await writePairsJsonl(input, records);
    const out = join(dir(), "o");
    const { report } = await splitPairs(input, { out, ratios: "0.8,0.2" });
    assert.equal(report.whole.groups, 45);
    assert.equal(report.groupBy, "project,timestamp");
    assert.ok(report.whole.labels.some((l) => l.label === "project=p1"));
    const groupSplit = new Map<string, string>();
    let count = 0;
    for (const split of ["train", "val"]) {
      for (const line of (await readFile(join(out, `${split}.jsonl`), "utf8"))
        .split("\n")
        .filter((l) => l !== "")) {
        const r = JSON.parse(line) as PairsRecord;
        const key = `${r.project}/${r.timestamp}`;
        assert.equal(groupSplit.get(key) ?? split, split, `${key} in two splits`);
        groupSplit.set(key, split);
        count++;
      }
    }
    assert.equal(count, 90);
  });

  it("writes each split of a run-record folder as a run-record folder with its images", async () => {
    const input = join(dir(), "dataset");
    await mkdir(join(input, "images"), { recursive: true });
    await mkdir(join(input, "annotations"), { recursive: true });
    const names = ["login_button", "menu_icon", "click_target"];
    const manifest: string[] = [];
    for (let i = 0; i < 30; i++) {
      const bytes = Buffer.from(`image-${i}`);
      const id = contentId16(bytes);
      await writeFile(join(input, "images", `${id}.png`), bytes);
      const boxes = names
        .filter((_, c) => (i + c) % (c + 2) === 0)
        .map((name) => ({
          bbox: [1, 1, 5, 5],
          category_id: names.indexOf(name),
          category_name: name,
          confidence: 1,
          source: "user_click",
          verified: true,
        }));
      await writeFile(
        join(input, "annotations", `${id}.json`),
        JSON.stringify({
          image_id: id,
          image_filename: `${id}.png`,
          image_width: 100,
          image_height: 100,
          annotations: boxes,
          context: {
            action_type: "CLICK",
            active_states: ["Login"],
            timestamp: 1700000000 + i,
            success: true,
          },
          version: "1.0.0",
        }),
      );
      const line = {
        id,
        image: `images/${id}.png`,
        annotations: `annotations/${id}.json`,
        action_id: `a${i}`,
        action_type: "CLICK",
        timestamp: 1700000000 + i,
        active_states: ["Login"],
        source: "runner_execution",
        is_new: true,
        reviewed: false,
      };
      manifest.push(JSON.stringify(line));
      if (i % 5 === 0)
        manifest.push(JSON.stringify({ ...line, is_new: false, action_id: `b${i}` }));
    }
    await writeFile(join(input, "manifest.jsonl"), manifest.join("\n") + "\n");
    await writeFile(
      join(input, "metadata.json"),
      JSON.stringify({
        dataset_version: "1.0.0",
        created: "2025-11-24T12:00:00",
        total_images: 30,
        total_annotations: 0,
        category_map: { login_button: 0, menu_icon: 1, click_target: 2 },
        categories: names.map((name, id) => ({ id, name })),
        statistics: {
          total_records_processed: 36,
          records_with_screenshots: 36,
          records_with_matches: 0,
          records_with_clicks: 36,
          skipped_records: 0,
          export_time_seconds: 1,
        },
        format: "intermediate",
        description: "test",
      }),
    );
    const out = join(dir(), "o");
    const { report } = await splitManifest(input, { out, ratios: "train=0.7,test=0.3", seed: 4 });
    assert.equal(report.whole.rows, 36);
    assert.equal(report.whole.groups, 30);
    assert.deepEqual(report.files, { train: "train/manifest.jsonl", test: "test/manifest.jsonl" });
    let lines = 0;
    const ids = new Set<string>();
    for (const split of ["train", "test"]) {
      const part = (await readFile(join(out, split, "manifest.jsonl"), "utf8"))
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as { id: string; image: string });
      lines += part.length;
      for (const entry of part) {
        assert.ok(
          (await readFile(join(out, split, entry.image))).equals(
            await readFile(join(input, entry.image)),
          ),
        );
        ids.add(`${split}:${entry.id}`);
      }
      const meta = JSON.parse(await readFile(join(out, split, "metadata.json"), "utf8")) as {
        total_images: number;
      };
      assert.equal(meta.total_images, new Set(part.map((e) => e.id)).size);
    }
    assert.equal(lines, 36);
    assert.equal(ids.size, 30);
  });
});

describe("splitCharts()", () => {
  const dir = useTempDir();

  it("builds a Vega-Lite v5 spec of label rates by split that vega-lite compiles", async () => {
    const input = join(dir(), "legacy.jsonl");
    await writeLegacyJsonl(
      input,
      syntheticExams({ exams: 40, rows: 600, prevalence: [0.1, 0.3], seed: 2 }),
    );
    const { report } = await splitFile(input, { out: join(dir(), "o") });
    const spec = splitCharts(report);
    assert.equal(spec["$schema"], "https://vega.github.io/schema/vega-lite/v5.json");
    const values = (spec["data"] as { values: { split: string; label: string; rate: number }[] })
      .values;
    assert.equal(values.length, (report.splits.length + 1) * report.whole.labels.length);
    assert.equal(
      values.find((v) => v.split === "val" && v.label === "l1")?.rate,
      report.splits[1]?.labels[1]?.rate,
    );
    const { compile } = (await import("vega-lite")) as {
      compile: (spec: unknown) => { spec: { data?: unknown } };
    };
    const compiled = compile(spec);
    assert.ok(compiled.spec.data !== undefined);
  });
});
