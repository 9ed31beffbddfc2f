/** `trainset prepare`: COCO dataset.json → train/val/test COCO files (qontinui-finetune's documented CLI). */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { splitCoco } from "../../split/split-file.js";
import { formatSplitReport } from "../../split/split-report.js";
import { numberFlag } from "../args.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { withProgressBar } from "../progress-bar.js";

const usage = `Usage: trainset prepare --input dataset.json --out DIR [--split 0.7,0.2,0.1] [--seed 42]

Splits a COCO dataset (e.g. the dataset.json of \`trainset export runs\`) into train/val/test COCO
files with the group-aware, label-stratified splitter (images are the groups; every category's
share stays close to the whole), and prints a summary. Output: DIR/train.json, DIR/val.json,
DIR/test.json and DIR/split_report.json.

Options:
  --input FILE   COCO JSON
  --out DIR      output folder (created when missing)
  --split R      train,val,test shares summing to 1 (default 0.7,0.2,0.1)
  --seed N       seed (default 42)
  --json         print split_report.json
  --quiet        no progress bar

Example:
  trainset prepare --input datasets/my_app/dataset.json --out datasets/train/v1.0.0 --split 0.7,0.2,0.1`;

/** The prepare command. */
export const prepareCommand: CliCommand = {
  name: "prepare",
  summary: "split a COCO dataset.json into train/val/test COCO files (stratified) + summary",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        input: { type: "string" },
        out: { type: "string" },
        split: { type: "string" },
        seed: { type: "string" },
        format: { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ""}" (give the file with --input)`);
    if (values.input === undefined) throw new UsageError("missing --input dataset.json");
    if (values.out === undefined) throw new UsageError("missing --out DIR");
    if (values.format !== undefined && values.format !== "coco") throw new UsageError(`--format must be coco, got "${values.format}"`);
    const split = values.split ?? "0.7,0.2,0.1";
    const parts = split.split(",");
    if (parts.length !== 3 || parts.some((p) => !/^\d*\.?\d+$/.test(p.trim()))) throw new UsageError(`--split must be three shares train,val,test like 0.7,0.2,0.1, got "${split}"`);
    const seed = numberFlag("seed", values.seed, { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER }) ?? 42;
    const input = resolve(io.cwd, values.input);
    const out = resolve(io.cwd, values.out);
    const result = await withProgressBar(io, values.quiet === true || values.json === true, (onProgress) =>
      splitCoco(input, {
        out,
        ratios: `train=${parts[0] ?? ""},val=${parts[1] ?? ""},test=${parts[2] ?? ""}`,
        seed,
        signal: io.signal,
        onProgress,
      }),
    );
    const { report } = result;
    if (values.json === true) {
      println(io.stdout, JSON.stringify(report, null, 2));
      return 0;
    }
    println(io.stdout, `${report.input}: ${report.whole.samples} ${report.unit}, split ${split} (seed ${seed})`);
    println(io.stdout);
    println(io.stdout, formatSplitReport(report));
    println(io.stdout);
    println(io.stdout, `wrote ${Object.values(report.files).join(", ")}, split_report.json to ${values.out}`);
    return 0;
  },
};
