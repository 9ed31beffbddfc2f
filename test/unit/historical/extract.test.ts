import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "vega-lite";
import {
  extractHistorical,
  historicalCharts,
  makeHistoricalSample,
  parseProjectPaths,
  writeHistoricalOutputs,
  type HistoricalSample,
} from "../../../kernel/src/historical/index.js";
import { readPairs, validatePairs } from "../../../kernel/src/formats/pairs.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";
import { useTempDir } from "../../support/tmp.js";

describe("extractHistorical() on the sample project", () => {
  let dir = "";
  let sample: HistoricalSample;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "trainset-historical-"));
    sample = await makeHistoricalSample(dir);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const run = (extra: Partial<Parameters<typeof extractHistorical>[0]> = {}): ReturnType<typeof extractHistorical> =>
    extractHistorical({ projects: [{ name: "sample", rawDir: sample.rawDir, finalDir: sample.finalDir }], extractionDate: "2025-10-20", ...extra });

  it("counts every kind of group, decision and problem", async () => {
    const { report } = await run();
    const p = report.projects[0];
    assert.ok(p !== undefined);
    const counts: Partial<typeof report.total> = { ...report.total };
    const stages = counts.winner_stages;
    delete counts.seconds;
    delete counts.winner_stages;
    assert.deepEqual(counts, {
      raw_images: 28,
      final_images: 12,
      groups: 13,
      groups_with_winner: 7,
      groups_rejected: 3,
      groups_single: 2,
      groups_multi_select: 1,
      groups_unresolved: 1,
      records: 11,
      decisions: 8,
      pairs: 10,
      anomalies: 3,
      cropped: 4,
      crop_by_mtime: 3,
      crop_by_size: 2,
      crop_size_unknown: 1,
      unparsed: 5,
      orphans: 3,
      ambiguous: 1,
      unreadable: 3,
      ignored_files: 2,
    });
    assert.deepEqual(stages, { "1": 2, "2": 5, "3": 1 });
    assert.equal(p.groups, p.groups_with_winner + p.groups_rejected + p.groups_single + p.groups_unresolved);
    assert.deepEqual(p.ignored_by_extension, { raw: { txt: 1 }, final: { "(none)": 1 } });
    assert.deepEqual(p.unparsed_files.map((f) => `${f.root}/${f.path}`), [
      "raw/20250708_060711_final.png",
      "raw/20250708_060711_stage2 (1).png",
      "raw/20251340_250000_stage1.png",
      "raw/IMG_1234.png",
      "final/cover.jpg",
    ]);
    assert.deepEqual(p.unreadable_files.map((f) => `${f.root}/${f.path}`), ["raw/20250708_150000_stage2.png", "raw/20250708_150000_stage3.png", "final/20250708_180000_stage2.png"]);
    assert.deepEqual(p.orphan_files.map((o) => o.reason), ["no-raw-twin", "no-raw-group", "duplicate-final"]);
    assert.deepEqual(p.ambiguous_files, [{ final_path: "20250708_081500_stage2.png", candidates: ["batch_a", "batch_b"], chosen: "batch_a" }]);
  });

  it("writes the RAW twin as winner, the other stages as losers, and both crop signals", async () => {
    const { records } = await run();
    const byKey = new Map(records.map((r) => [`${r.group_dir}/${r.timestamp}/${r.chosen_stage}`, r]));
    const flat = byKey.get("/20250708_060711/2");
    assert.deepEqual(
      [flat?.chosen_path, flat?.final_path, flat?.neg_paths, flat?.neg_stages, flat?.anomaly, flat?.was_cropped],
      [
        "20250708_060711_stage2_upscaled.png",
        "portraits/20250708_060711_stage2_upscaled.png",
        ["20250708_060711_stage1.png", "20250708_060711_stage1.5.jpg", "20250708_060711_stage3_enhanced.webp"],
        [1, 1.5, 3],
        true,
        false,
      ],
    );
    const signals = (key: string): unknown[] => {
      const r = byKey.get(key);
      return [r?.crop_by_mtime, r?.crop_by_size, r?.was_cropped];
    };
    assert.deepEqual(signals("batch_a/20250708_070000/2"), [true, true, true]);
    assert.deepEqual(signals("batch_b/20250708_080000/1"), [true, false, true]);
    assert.deepEqual(signals("batch_a/20250708_081500/2"), [false, true, true]);
    assert.deepEqual(signals("/20250708_150000/2"), [true, null, true]);
    assert.deepEqual(byKey.get("batch_a/20250708_070000/2")?.final_size, [48, 40]);
    assert.deepEqual(byKey.get("batch_a/20250708_070000/2")?.chosen_size, [64, 48]);
    assert.equal(byKey.get("/20250708_140000/2")?.final_path, "20250708_140000_stage2.JPG");
  });

  it("writes rejected groups as negative records and both winners of a multi-select", async () => {
    const { records } = await run();
    const rejected = records.filter((r) => r.rejected === true);
    assert.deepEqual(rejected.map((r) => `${r.group_dir}/${r.timestamp}`), ["batch_a/20250708_080000", "batch_b/20250708_081500", "/20250708_090000"]);
    assert.ok(rejected.every((r) => r.chosen_path === null && r.chosen_stage === null && r.neg_paths.length >= 2));
    const multi = records.filter((r) => r.multi_select === true);
    assert.deepEqual(multi.map((r) => [r.chosen_stage, r.neg_stages, r.co_chosen_paths, r.anomaly]), [
      [1, [2], ["20250708_110000_stage3.png"], true],
      [3, [2], ["20250708_110000_stage1.png"], false],
    ]);
  });

  it("gives one TRL preference pair per winner and loser", async () => {
    const { pairs } = await run();
    assert.equal(pairs.length, 10);
    assert.deepEqual(pairs[0], {
      prompt: "sample/20250708_060711",
      chosen: "20250708_060711_stage2_upscaled.png",
      rejected: "20250708_060711_stage1.png",
      project: "sample",
      timestamp: "20250708_060711",
      group_dir: "",
      chosen_stage: 2,
      rejected_stage: 1,
      was_cropped: false,
      anomaly: true,
      image_root: sample.rawDir,
    });
    assert.ok(pairs.every((p) => p.chosen !== p.rejected));
  });

  it("builds the master image table only when asked, with mtimes and FINAL paths", async () => {
    assert.equal((await run()).images.length, 0);
    const { images } = await run({ includeImages: true });
    assert.equal(images.length, 28);
    const kept = images.find((i) => i.image_path === "batch_a/20250708_070000_stage2.png");
    assert.deepEqual(
      [kept?.in_final, kept?.final_path, kept?.file_mtime, kept?.final_mtime, kept?.was_cropped],
      [true, "batch_a/20250708_070000_stage2.png", "2025-07-08T06:00:00Z", "2025-07-08T07:00:00Z", true],
    );
    const single = images.find((i) => i.image_path === "batch_b/20250708_100000_stage2.png");
    assert.equal(single?.in_final, true);
    assert.equal(images.find((i) => i.image_path === "20250708_090000_stage3.jpeg")?.in_final, false);
  });

  it("writes absolute paths when asked", async () => {
    const { records } = await run({ absolutePaths: true });
    assert.ok(records.every((r) => r.neg_paths.every((p) => p.startsWith(sample.rawDir + "/"))));
    assert.ok(records.every((r) => r.final_path === null || r.final_path?.startsWith(sample.finalDir + "/")));
  });

  it("merges folders into one group per timestamp in timestamp mode", async () => {
    const { report } = await run({ grouping: "timestamp" });
    assert.equal(report.total.groups, 11);
    assert.equal(report.total.ambiguous, 0);
    const { records } = await run({ grouping: "timestamp" });
    assert.equal(records.find((r) => r.timestamp === "20250708_080000")?.chosen_path, "batch_b/20250708_080000_stage1.png");
  });

  it("opens no image file when crop detection is off", async () => {
    const { records, report } = await run({ detectCrops: false });
    const decisions = records.filter((r) => r.rejected !== true);
    assert.equal(decisions.length, 8);
    assert.ok(decisions.every((r) => r.crop_by_mtime === null && r.crop_by_size === null && r.chosen_size === null && !r.was_cropped));
    assert.deepEqual([report.crop_detection, report.total.cropped, report.total.crop_size_unknown], [false, 0, 0]);
    // Only the two dangling links found by the scan; the broken PNG is never opened.
    assert.equal(report.total.unreadable, 2);
  });

  it("uses the crop threshold it is given", async () => {
    const { report } = await run({ cropSeconds: 7200 });
    assert.equal(report.total.crop_by_mtime, 0);
    assert.equal(report.total.cropped, 2);
  });

  it("writes files that diff clean between two runs and read back as valid pairs", async () => {
    const out = join(dir, "out");
    const texts: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const result = await run({ includeImages: true });
      const paths = { jsonl: join(out, `r${i}.jsonl`), csv: join(out, `r${i}.csv`), pairs: join(out, `p${i}.jsonl`), images: join(out, `i${i}.jsonl`) };
      await writeHistoricalOutputs(result, paths);
      texts.push(await Promise.all(Object.values(paths).map((p) => readFile(p, "utf8"))));
    }
    assert.deepEqual(texts[0], texts[1]);
    const fromJsonl = await readPairs(join(out, "r0.jsonl"));
    const fromCsv = await readPairs(join(out, "r0.csv"));
    assert.equal(fromJsonl.records.length, 11);
    assert.deepEqual(
      fromCsv.records.map((r) => [r.chosen_path, r.chosen_stage, r.neg_paths, r.neg_stages, r.was_cropped, r.crop_by_size, r.rejected]),
      fromJsonl.records.map((r) => [r.chosen_path, r.chosen_stage, r.neg_paths, r.neg_stages, r.was_cropped, r.crop_by_size, r.rejected]),
    );
    assert.deepEqual((await validatePairs(join(out, "r0.jsonl"))).filter((i) => i.severity === "error"), []);
  });

  it("builds Vega-Lite specs that compile", async () => {
    const { report } = await run();
    const charts = historicalCharts(report);
    const stageValues = (charts.winningStages.data as { values: Array<{ stage: number; count: number }> }).values;
    assert.deepEqual(stageValues.map((v) => [v.stage, v.count]), [[1, 2], [2, 5], [3, 1]]);
    const rates = (charts.rates.data as { values: Array<{ measure: string; rate: number }> }).values;
    assert.deepEqual(rates.map((r) => [r.measure, r.rate]), [["anomaly", 3 / 8], ["cropped", 4 / 8], ["crop by time", 3 / 8], ["crop by size", 2 / 8]]);
    for (const spec of Object.values(charts)) assert.ok(compile(spec as Parameters<typeof compile>[0]).spec);
  });
});

describe("extractHistorical() edge cases", () => {
  const tmp = useTempDir();

  it("handles empty RAW and FINAL folders", async () => {
    await mkdir(join(tmp(), "raw"));
    await mkdir(join(tmp(), "final"));
    const result = await extractHistorical({ projects: [{ name: "e", rawDir: "raw", finalDir: "final" }], cwd: tmp() });
    assert.deepEqual([result.records, result.report.total.groups, result.report.projects[0]?.raw_dir], [[], 0, "raw"]);
  });

  it("treats every group as rejected when FINAL is empty, in a flat RAW folder", async () => {
    await mkdir(join(tmp(), "final"));
    await mkdir(join(tmp(), "raw"));
    for (const n of ["20250708_060711_stage1.png", "20250708_060711_stage2.png"]) await writeFile(join(tmp(), "raw", n), "x");
    const { records } = await extractHistorical({ projects: [{ name: "e", rawDir: join(tmp(), "raw"), finalDir: join(tmp(), "final") }] });
    assert.deepEqual(records.map((r) => [r.rejected, r.neg_paths]), [[true, ["20250708_060711_stage1.png", "20250708_060711_stage2.png"]]]);
  });

  it("throws NOT_FOUND for a missing folder, or reports it and goes on with continueOnError", async () => {
    await mkdir(join(tmp(), "raw"));
    await mkdir(join(tmp(), "final"));
    const projects = [
      { name: "gone", rawDir: join(tmp(), "nope"), finalDir: join(tmp(), "final") },
      { name: "ok", rawDir: join(tmp(), "raw"), finalDir: join(tmp(), "final") },
    ];
    await assert.rejects(extractHistorical({ projects }), (e: unknown) => e instanceof TrainsetError && e.code === "NOT_FOUND" && /RAW folder of gone/.test(e.message));
    const { report } = await extractHistorical({ projects, continueOnError: true });
    assert.equal(report.failed, 1);
    assert.match(report.projects[0]?.error ?? "", /no such file or directory/);
    assert.equal(report.projects[1]?.error, undefined);
  });

  it("refuses bad options", async () => {
    await assert.rejects(extractHistorical({ projects: [] }), RangeError);
    const p = { name: "a", rawDir: ".", finalDir: "." };
    await assert.rejects(extractHistorical({ projects: [p, p] }), /listed twice/);
    await assert.rejects(extractHistorical({ projects: [p], cropSeconds: -1 }), RangeError);
    await assert.rejects(extractHistorical({ projects: [p], extractionDate: "20.10.2025" }), RangeError);
  });

  it("stops with ABORTED when the signal has fired", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(extractHistorical({ projects: [{ name: "a", rawDir: ".", finalDir: "." }] }, { signal: controller.signal }), (e: unknown) => e instanceof TrainsetError && e.code === "ABORTED");
  });

  it("detects a crop by time only when FINAL is newer than the threshold", async () => {
    await mkdir(join(tmp(), "raw"));
    await mkdir(join(tmp(), "final"));
    for (const n of ["20250708_060711_stage1.png", "20250708_060711_stage2.png"]) await writeFile(join(tmp(), "raw", n), "x");
    await writeFile(join(tmp(), "final", "20250708_060711_stage2.png"), "x");
    await utimes(join(tmp(), "raw", "20250708_060711_stage2.png"), 1000, 1000);
    await utimes(join(tmp(), "final", "20250708_060711_stage2.png"), 1004, 1004);
    const near = await extractHistorical({ projects: [{ name: "a", rawDir: join(tmp(), "raw"), finalDir: join(tmp(), "final") }] });
    assert.deepEqual([near.records[0]?.crop_by_mtime, near.records[0]?.crop_by_size], [false, null]);
    assert.equal(near.report.total.unreadable, 2);
    await utimes(join(tmp(), "final", "20250708_060711_stage2.png"), 1006, 1006);
    const far = await extractHistorical({ projects: [{ name: "a", rawDir: join(tmp(), "raw"), finalDir: join(tmp(), "final") }] });
    assert.equal(far.records[0]?.was_cropped, true);
  });
});

describe("parseProjectPaths()", () => {
  it("reads the seed's config shape", () => {
    assert.deepEqual(parseProjectPaths('{"projects":[{"name":"mojo-1","raw_dir":"archives/mojo1_raw","final_dir":"mojo1"}]}'), [
      { name: "mojo-1", rawDir: "archives/mojo1_raw", finalDir: "mojo1" },
    ]);
  });

  it("names the file and field that is wrong", () => {
    assert.throws(
      () => parseProjectPaths('{"projects":[{"name":"a","raw_dir":"r","final_dir":"f"},{"name":"b","raw_dir":""}]}', "paths.json"),
      (e: unknown) => e instanceof TrainsetError && e.file === "paths.json" && e.field === "projects[1].raw_dir" && /^Cannot read project paths "paths\.json": projects\[1\]\.raw_dir must be/.test(e.message),
    );
    assert.throws(() => parseProjectPaths("{}"), /needs a "projects" list/);
    assert.throws(() => parseProjectPaths("{nope"), /not valid JSON/);
    assert.throws(() => parseProjectPaths('{"projects":[{"name":"a","raw_dir":"r","final_dir":"f"},{"name":"a","raw_dir":"r","final_dir":"f"}]}'), /used twice/);
  });
});
