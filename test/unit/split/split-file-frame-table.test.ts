import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  FRAME_TABLE_FIELDS,
  readFrameTable,
  splitFrameTable,
  writeFrameTable,
  type FrameAnnotationRow,
} from "trainset";
import { useTempDir } from "../../support/tmp.js";

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
