import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  contentId16,
  splitManifest,
  splitPairs,
  writePairsJsonl,
  type PairsRecord,
} from "trainset";
import { useTempDir } from "../../support/tmp.js";

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
