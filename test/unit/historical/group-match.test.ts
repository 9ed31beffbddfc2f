import assert from "node:assert/strict";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  groupRawImages,
  matchFinalImages,
  parseImageName,
  pathFit,
  scanImageTree,
  type ScannedImage,
} from "../../../kernel/src/historical/index.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";
import { useTempDir } from "../../support/tmp.js";

function img(rel: string): ScannedImage {
  const slash = rel.lastIndexOf("/");
  const name = rel.slice(slash + 1);
  const parsed = parseImageName(name);
  if (parsed === undefined) throw new Error(`test fixture name does not parse: ${rel}`);
  return { rel, dir: slash === -1 ? "" : rel.slice(0, slash), name, ...parsed };
}

describe("groupRawImages()", () => {
  it("makes one group per timestamp and folder, members by stage", () => {
    const index = groupRawImages([
      img("b/20250708_080000_stage2.png"),
      img("a/20250708_080000_stage2.png"),
      img("a/20250708_080000_stage1.png"),
      img("20250708_070000_stage3_enhanced.png"),
      img("20250708_070000_stage1.5.png"),
    ]);
    assert.deepEqual(
      index.groups.map((g) => [g.timestamp, g.dir, g.members.map((m) => m.stage), g.maxStage]),
      [
        ["20250708_070000", "", [1.5, 3], 3],
        ["20250708_080000", "a", [1, 2], 2],
        ["20250708_080000", "b", [2], 2],
      ],
    );
    assert.deepEqual(index.byTimestamp.get("20250708_080000")?.map((g) => g.dir), ["a", "b"]);
  });

  it("merges folders in timestamp mode", () => {
    const index = groupRawImages([img("b/20250708_080000_stage2.png"), img("a/20250708_080000_stage1.png")], "timestamp");
    assert.equal(index.groups.length, 1);
    assert.deepEqual(index.groups[0]?.members.map((m) => m.rel), ["a/20250708_080000_stage1.png", "b/20250708_080000_stage2.png"]);
  });
});

describe("pathFit()", () => {
  it("prefers trailing folder names in common, then shared names", () => {
    assert.ok(pathFit("batch_b", "batch_b") > pathFit("batch_a", "batch_b"));
    assert.ok(pathFit("x/batch_b", "sel/batch_b") > pathFit("x/batch_a", "sel/batch_b"));
    assert.ok(pathFit("batch_b", "batch_b/picks") > pathFit("batch_a", "batch_b/picks"));
    assert.equal(pathFit("", "anything"), 0);
    assert.equal(pathFit("batch_a", ""), pathFit("batch_b", ""));
  });
});

describe("matchFinalImages()", () => {
  const raw = groupRawImages([
    img("a/20250708_080000_stage1.png"),
    img("a/20250708_080000_stage2.png"),
    img("b/20250708_080000_stage1.png"),
    img("b/20250708_080000_stage2.png"),
    img("20250708_090000_stage1.png"),
    img("20250708_090000_stage2_upscaled.png"),
    img("20250708_100000_stage1.png"),
    img("20250708_100000_stage2.png"),
  ]);

  it("sends a FINAL file to the RAW folder its own path fits", () => {
    const result = matchFinalImages([img("sel/b/20250708_080000_stage1.png")], raw);
    const [[group, winners] = []] = [...result.winners];
    assert.equal(group?.dir, "b");
    assert.equal(winners?.[0]?.raw.rel, "b/20250708_080000_stage1.png");
    assert.deepEqual(result.ambiguous, []);
  });

  it("reports a tie between folders and uses the first", () => {
    const result = matchFinalImages([img("20250708_080000_stage2.png")], raw);
    assert.deepEqual(result.ambiguous, [{ final_path: "20250708_080000_stage2.png", candidates: ["a", "b"], chosen: "a" }]);
    assert.equal([...result.winners.keys()][0]?.dir, "a");
  });

  it("finds the twin by name, else by stage and suffix, else by stage", () => {
    const byName = matchFinalImages([img("20250708_090000_stage2_upscaled.png")], raw);
    const bySuffix = matchFinalImages([img("20250708_090000_stage2_upscaled.jpg")], raw);
    const byStage = matchFinalImages([img("20250708_090000_stage2_cropped.png")], raw);
    const first = (r: typeof byName): string | undefined => [...r.winners.values()][0]?.[0]?.match;
    assert.deepEqual([first(byName), first(bySuffix), first(byStage)], ["name", "stage-suffix", "stage"]);
  });

  it("reports FINAL files without group, without stage, and duplicates, and marks the group unresolved", () => {
    const result = matchFinalImages(
      [img("x/20250708_100000_stage2.png"), img("y/20250708_100000_stage2.png"), img("20250708_110000_stage1.png"), img("20250708_090000_stage5.png")],
      raw,
    );
    assert.deepEqual(
      result.orphans.map((o) => [o.path, o.reason]),
      [
        ["20250708_090000_stage5.png", "no-raw-twin"],
        ["20250708_110000_stage1.png", "no-raw-group"],
        ["y/20250708_100000_stage2.png", "duplicate-final"],
      ],
    );
    assert.deepEqual([...result.unresolved].map((g) => g.timestamp), ["20250708_090000"]);
    assert.equal(result.winners.size, 1);
  });

  it("gives the same answer whatever order the FINAL files come in", () => {
    const finals = [img("y/20250708_100000_stage2.png"), img("x/20250708_100000_stage2.png"), img("20250708_110000_stage1.png"), img("20250708_080000_stage2.png")];
    const forward = matchFinalImages(finals, raw);
    const backward = matchFinalImages([...finals].reverse(), raw);
    const summary = (r: typeof forward): unknown => [r.orphans, r.ambiguous, [...r.winners.values()].flat().map((w) => [w.raw.rel, w.final.rel]).sort()];
    assert.deepEqual(summary(backward), summary(forward));
    assert.deepEqual(forward.orphans.find((o) => o.reason === "duplicate-final"), {
      path: "y/20250708_100000_stage2.png",
      reason: "duplicate-final",
      detail: 'RAW "20250708_100000_stage2.png" is already the twin of FINAL "x/20250708_100000_stage2.png"',
    });
  });

  it("keeps every kept image of a multi-select group, in path order", () => {
    const result = matchFinalImages([img("p/20250708_100000_stage2.png"), img("p/20250708_100000_stage1.png")], raw);
    assert.deepEqual([...result.winners.values()][0]?.map((w) => w.final.rel), ["p/20250708_100000_stage1.png", "p/20250708_100000_stage2.png"]);
  });

  it("takes time linear in the number of files (10,000 groups well under a second)", () => {
    const rawImages: ScannedImage[] = [];
    const finals: ScannedImage[] = [];
    for (let g = 0; g < 10000; g++) {
      const stamp = new Date(Date.UTC(2025, 6, 8) + g * 1000).toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
      rawImages.push(img(`d${g % 20}/${stamp}_stage1.png`), img(`d${g % 20}/${stamp}_stage2.png`));
      finals.push(img(`f/${stamp}_stage2.png`));
    }
    const started = performance.now();
    const result = matchFinalImages(finals, groupRawImages(rawImages));
    assert.equal(result.winners.size, 10000);
    assert.ok(performance.now() - started < 1000);
  });
});

describe("scanImageTree()", () => {
  const tmp = useTempDir();

  it("walks nested folders and accounts for every file", async () => {
    const root = tmp();
    await mkdir(join(root, "a", "b"), { recursive: true });
    await mkdir(join(root, "empty"));
    await mkdir(join(root, "20250708_160000_stage1.png"));
    for (const rel of ["20250708_060711_stage1.png", "a/20250708_060711_stage2.JPG", "a/b/20250708_060711_stage3.webp", "a/IMG_1.png", "a/notes.txt", "README"]) {
      await writeFile(join(root, rel), "x");
    }
    await symlink(join(root, "missing.png"), join(root, "a", "20250708_060711_stage4.png"));
    const scan = await scanImageTree(root);
    assert.deepEqual(scan.images.map((i) => i.rel).sort(), ["20250708_060711_stage1.png", "a/20250708_060711_stage2.JPG", "a/b/20250708_060711_stage3.webp"]);
    assert.deepEqual(scan.unparsed.map((u) => u.path), ["a/IMG_1.png"]);
    assert.deepEqual(scan.ignored, { "(none)": 1, txt: 1 });
    assert.deepEqual(scan.unreadable.map((u) => u.path), ["a/20250708_060711_stage4.png"]);
    assert.match(scan.unreadable[0]?.error ?? "", /a link whose target does not exist/);
    assert.equal(scan.directories, 5);
  });

  it("scans only the configured extensions", async () => {
    await writeFile(join(tmp(), "20250708_060711_stage1.png"), "x");
    await writeFile(join(tmp(), "20250708_060711_stage2.tif"), "x");
    const scan = await scanImageTree(tmp(), { extensions: [".TIF"] });
    assert.deepEqual(scan.images.map((i) => i.name), ["20250708_060711_stage2.tif"]);
    assert.deepEqual(scan.ignored, { png: 1 });
  });

  it("follows a linked folder once and never loops", async () => {
    await mkdir(join(tmp(), "real"));
    await writeFile(join(tmp(), "real", "20250708_060711_stage1.png"), "x");
    await symlink(join(tmp(), "real"), join(tmp(), "alias"));
    await symlink(tmp(), join(tmp(), "real", "loop"));
    const scan = await scanImageTree(tmp());
    assert.deepEqual(scan.images.map((i) => i.rel), ["real/20250708_060711_stage1.png"]);
  });

  it("throws NOT_FOUND for a missing root and IO_ERROR for a file", async () => {
    await assert.rejects(scanImageTree(join(tmp(), "nope"), { label: "RAW folder" }), (e: unknown) => e instanceof TrainsetError && e.code === "NOT_FOUND" && /^Cannot scan the RAW folder ".*nope": no such file/.test(e.message));
    await writeFile(join(tmp(), "f"), "x");
    await assert.rejects(scanImageTree(join(tmp(), "f")), (e: unknown) => e instanceof TrainsetError && /it is not a directory/.test(e.message));
  });

  it("stops with ABORTED when cancelled", async () => {
    for (let i = 0; i < 5000; i++) await writeFile(join(tmp(), `20250708_0600${String(i % 60).padStart(2, "0")}_stage${i}.png`), "");
    const controller = new AbortController();
    const scanning = scanImageTree(tmp(), { signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(scanning, (e: unknown) => e instanceof TrainsetError && e.code === "ABORTED");
  });
});
