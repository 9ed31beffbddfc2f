import assert from "node:assert/strict";
import { join } from "node:path";
import { splitCharts, splitFile, writeLegacyJsonl } from "trainset";
import { useTempDir } from "../../support/tmp.js";
import { syntheticExams } from "./fixtures.js";

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
