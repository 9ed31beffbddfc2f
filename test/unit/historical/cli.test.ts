import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { historicalCommand } from "../../../kernel/src/cli/commands/historical.js";
import { UsageError } from "../../../kernel/src/cli/command.js";
import { makeHistoricalSample } from "../../../kernel/src/historical/index.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";
import { memoryIo as memoryIoIn } from "../../support/cli.js";

/** The CLI run with an empty environment, as these tests always did. */
const memoryIo = (cwd: string): ReturnType<typeof memoryIoIn> => memoryIoIn(cwd, {});

describe("trainset historical", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "trainset-historical-cli-"));
    await makeHistoricalSample(join(dir, "sample"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("extracts one project into every output and prints a one-screen summary", async () => {
    const { io, out } = memoryIo(dir);
    const code = await historicalCommand.run(
      ["--raw", "sample/raw", "--final", "sample/final", "--project", "mojo-1", "--output", "o/h.jsonl", "--csv", "o/h.csv", "--pairs", "o/p.jsonl", "--images", "o/i.jsonl", "--report", "o/r.json", "--date", "2025-10-20"],
      io,
    );
    assert.equal(code, 0);
    for (const f of ["h.jsonl", "h.csv", "p.jsonl", "i.jsonl", "r.json"]) assert.ok((await stat(join(dir, "o", f))).size > 0, f);
    const summary = out();
    assert.match(summary, /^project +raw +groups +winner +rejected/m);
    assert.match(summary, /^mojo-1 +28 +13 +7 +3 +2 +1 +3 \(37\.5%\) +4 \(50\.0%\) +10 +5 +3 +3 /m);
    assert.match(summary, /8 decisions \(3 cropped by time, 2 by size, 1 size unknown\), 3 rejected groups, 10 preference pairs\./);
    assert.match(summary, /1 ambiguous FINAL files:\n {2}20250708_081500_stage2\.png: fits "batch_a" and "batch_b"; used "batch_a"/);
    assert.match(summary, /Wrote o\/h\.jsonl, o\/h\.csv, o\/i\.jsonl, o\/p\.jsonl, o\/r\.json/);
    const first = JSON.parse((await readFile(join(dir, "o", "h.jsonl"), "utf8")).split("\n")[0] ?? "") as { metadata: unknown };
    assert.deepEqual(first.metadata, { raw_dir: "sample/raw", final_dir: "sample/final", extraction_date: "2025-10-20" });
    const report = JSON.parse(await readFile(join(dir, "o", "r.json"), "utf8")) as { total: { pairs: number }; crop_seconds: number };
    assert.deepEqual([report.total.pairs, report.crop_seconds], [10, 5]);
  });

  it("prints the report as JSON, names the project after the RAW folder, and honours --crop-seconds", async () => {
    const { io, out } = memoryIo(dir);
    assert.equal(await historicalCommand.run(["--raw", "sample/raw", "--final", "sample/final", "--json", "--crop-seconds", "7200"], io), 0);
    const report = JSON.parse(out()) as { projects: Array<{ project: string }>; total: { crop_by_mtime: number }; crop_seconds: number };
    assert.deepEqual([report.projects[0]?.project, report.total.crop_by_mtime, report.crop_seconds], ["raw", 0, 7200]);
  });

  it("says so in the summary when crop detection is off", async () => {
    const { io, out } = memoryIo(dir);
    assert.equal(await historicalCommand.run(["--raw", "sample/raw", "--final", "sample/final", "--no-crop"], io), 0);
    assert.match(out(), /8 decisions \(crop detection off\), 3 rejected groups/);
  });

  it("runs a batch config, reports a failing project and exits 1", async () => {
    const config = { projects: [{ name: "good", raw_dir: "sample/raw", final_dir: "sample/final" }, { name: "gone", raw_dir: "nope/raw", final_dir: "nope/final" }] };
    await writeFile(join(dir, "project_paths.json"), JSON.stringify(config));
    const { io, out } = memoryIo(dir);
    const code = await historicalCommand.run(["--batch", "--config", "project_paths.json", "--output", "all.jsonl"], io);
    assert.equal(code, 1);
    assert.match(out(), /^gone +FAILED: Cannot scan the RAW folder of gone ".*nope\/raw": no such file or directory/m);
    assert.match(out(), /^TOTAL +28 +13 /m);
    assert.equal((await readFile(join(dir, "all.jsonl"), "utf8")).trim().split("\n").length, 11);
  });

  it("fails with a clear error for a single missing folder", async () => {
    const { io } = memoryIo(dir);
    await assert.rejects(historicalCommand.run(["--raw", "missing", "--final", "sample/final"], io), (e: unknown) => e instanceof TrainsetError && e.code === "NOT_FOUND");
  });

  it("rejects bad usage", async () => {
    const { io } = memoryIo(dir);
    const usage = async (args: string[], message: RegExp): Promise<void> => {
      await assert.rejects(historicalCommand.run(args, io), (e: unknown) => e instanceof UsageError && message.test(e.message));
    };
    await usage([], /give --raw DIR and --final DIR/);
    await usage(["--batch"], /--batch needs --config/);
    await usage(["--batch", "--config", "c.json", "--raw", "r"], /--raw cannot be combined with --batch/);
    await usage(["--config", "c.json"], /--config needs --batch/);
    await usage(["--raw", "r", "--final", "f", "--crop-seconds", "soon"], /--crop-seconds must be a number/);
    await usage(["--raw", "r", "--final", "f", "--group-by", "day"], /--group-by must be folder or timestamp/);
    await usage(["--raw", "r", "--final", "f", "--date", "yesterday"], /--date must be YYYY-MM-DD/);
    await assert.rejects(historicalCommand.run(["--raw", "r", "--final", "f", "--bogus"], io), (e: unknown) => (e as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION");
  });
});
