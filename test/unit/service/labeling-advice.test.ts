import assert from "node:assert/strict";
import { join } from "node:path";
import { labelingAdvice } from "../../../kernel/src/service/advice.js";
import { storeAnnotations } from "../../../kernel/src/service/annotation-store.js";
import { adviseOnLabels, adviseOnRatings, rankByUncertainty } from "../../../kernel/src/service/labeling-advice.js";
import { writeFile } from "node:fs/promises";
import { renderBoxes } from "../../../kernel/src/demo/synthetic-images.js";
import { ModelRegistry } from "../../../kernel/src/models/model-registry.js";
import { useTempDir } from "../../support/tmp.js";
import { makeOnnxRun } from "../models/model-fixtures.js";

const repeat = (n: number, r: number): number[] => Array.from({ length: n }, () => r);

describe("adviseOnRatings()", () => {
  it("reports the seed's buckets and no warning for a balanced set", () => {
    const a = adviseOnRatings([...repeat(10, 0.2), ...repeat(20, 0.5), ...repeat(20, 0.8)]);
    assert.deepEqual(a.ratingDistribution, { "Low (0-0.3)": 10, "Medium (0.3-0.7)": 20, "High (0.7-1.0)": 20 });
    assert.equal(a.totalAnnotations, 50);
    assert.ok(Math.abs(a.averageRating - 0.56) < 1e-9);
    assert.deepEqual(a.warnings, []);
    assert.deepEqual(a.focusAreas, ["Diverse scene types", "Various visual characteristics"]);
    assert.ok(a.recommendations.includes("Ensure annotations cover frames from beginning, middle, and end of videos"));
  });

  it("puts 0.3 in Medium and 0.7 in High", () => {
    assert.deepEqual(adviseOnRatings([0.3, 0.7, 0.2999]).ratingDistribution, { "Low (0-0.3)": 1, "Medium (0.3-0.7)": 1, "High (0.7-1.0)": 1 });
  });

  it("warns when low or high frames are under 20 % and when the distribution is heavily skewed", () => {
    const a = adviseOnRatings([...repeat(2, 0.1), ...repeat(8, 0.5), ...repeat(30, 0.9)]);
    assert.ok(a.warnings.includes("Low importance frames are underrepresented (5% of annotations)"), a.warnings.join("; "));
    assert.ok(a.warnings.some((w) => /heavily skewed toward high importance \(Low 5%, High 75%\)/.test(w)));
    assert.ok(a.focusAreas.includes("Static scenes"));
    const noSkew = adviseOnRatings([...repeat(10, 0.1), ...repeat(10, 0.5), ...repeat(5, 0.9)]);
    assert.ok(!noSkew.warnings.some((w) => /skewed/.test(w)), "|40% - 20%| = 20 is not skewed");
  });

  it("says so when there is nothing to analyse", () => {
    assert.deepEqual(adviseOnRatings([]).warnings, ["No annotations found"]);
  });
});

describe("adviseOnLabels()", () => {
  it("counts positives per label and flags the under-represented ones", () => {
    const samples = [
      ...Array.from({ length: 30 }, (_, i) => ({ image: `a${i}`, group: "g", positives: ["polyp"] })),
      ...Array.from({ length: 12 }, (_, i) => ({ image: `b${i}`, group: "g", positives: ["blood"] })),
      { image: "c", group: "g", positives: ["tool"] },
      { image: "u1", group: "g", positives: null },
    ];
    const a = adviseOnLabels(samples, { labels: ["polyp", "blood", "tool", "outside"] });
    const by = Object.fromEntries(a.labels.map((l) => [l.label, l]));
    assert.equal(by.polyp?.positives, 30);
    assert.equal(by.polyp?.negatives, 13);
    assert.equal(by.polyp?.unknown, 1);
    assert.equal(by.polyp?.underRepresented, false);
    assert.equal(by.blood?.underRepresented, false);
    assert.equal(by.tool?.underRepresented, true);
    assert.equal(by.outside?.positives, 0);
    assert.equal(a.unlabeledImages, 1);
    assert.ok(a.warnings.includes('Label "tool" is under-represented: 1 positive (fewer than 10)'), a.warnings.join("; "));
    const relative = adviseOnLabels([...samples, ...Array.from({ length: 200 }, (_, i) => ({ image: `p${i}`, group: "g", positives: ["polyp"] }))]);
    assert.ok(relative.warnings.includes(`Label "blood" is under-represented: 12 positives (under 10% of the most frequent label's 230)`), relative.warnings.join("; "));
  });
});

describe("rankByUncertainty()", () => {
  it("puts the frames the model is least sure about first", () => {
    const ranked = rankByUncertainty(
      [
        { image: "sure.jpg", probabilities: { a: 0.99, b: 0.01 } },
        { image: "coin.jpg", probabilities: { a: 0.5, b: 0.45 } },
        { image: "half.jpg", probabilities: { a: 0.95, b: 0.5 } },
      ],
      2,
    );
    assert.deepEqual(ranked.map((r) => r.image), ["coin.jpg", "half.jpg"]);
    assert.equal(ranked[0]?.mostUncertainLabel, "a");
    assert.ok((ranked[0]?.uncertainty ?? 0) > 0.99);
  });
});

describe("labelingAdvice()", () => {
  const tmp = useTempDir();
  it("ranks the not-yet-rated candidates with the given model", async () => {
    const root = tmp();
    await storeAnnotations(root, "u", [{ framePath: join(root, "rated.jpg"), rating: 0.9 }]);
    const seen: string[] = [];
    const report = await labelingAdvice(root, {
      user: "u",
      candidates: [join(root, "rated.jpg"), join(root, "x.jpg"), join(root, "y.jpg")],
      modelDir: "/model",
      topN: 5,
      scorer: (_dir, images) => {
        seen.push(...images);
        return Promise.resolve(images.map((image) => ({ image, probabilities: { importance: image.endsWith("y.jpg") ? 0.5 : 0.9 }, labels: [] })));
      },
    });
    assert.deepEqual(seen.map((s) => s.slice(root.length + 1)), ["x.jpg", "y.jpg"]);
    assert.deepEqual(report.labelNext?.map((f) => f.image.slice(root.length + 1)), ["y.jpg", "x.jpg"]);
    assert.equal(report.ratings.totalAnnotations, 1);
  });

  it("ranks real frames with the deployed model.onnx through onnxruntime", async () => {
    const root = join(tmp(), "store");
    const reg = await ModelRegistry.open(root);
    const { dir } = await makeOnnxRun(join(tmp(), "run"));
    await reg.addVersion("frame-importance", { from: dir });
    await reg.deploy("frame-importance", "v1");
    const frames = [];
    for (let i = 0; i < 3; i++) {
      const f = join(tmp(), `f${i}.png`);
      await writeFile(f, await renderBoxes(32, 32, [{ bbox: [0, 0, 8 * (i + 1), 8 * (i + 1)], category: i }], i + 1));
      frames.push(f);
    }
    const report = await labelingAdvice(root, { candidates: frames, topN: 2 });
    assert.equal(report.modelDir, reg.versionDir("frame-importance", "v1"));
    assert.equal(report.labelNext?.length, 2);
    for (const f of report.labelNext ?? []) assert.ok(f.uncertainty > 0 && f.uncertainty <= 1 && ["a", "b"].includes(f.mostUncertainLabel));
  });

  it("explains why no ranking was made without a deployed model", async () => {
    const report = await labelingAdvice(tmp(), { candidates: ["a.jpg"] });
    assert.match(report.labelNextNote ?? "", /no model is deployed yet/);
  });
});
