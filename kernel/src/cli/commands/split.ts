/** `trainset split`: group-aware stratified train/val/test (or k-fold) split of a dataset file. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { DatasetFormat } from "../../formats/format-handler.js";
import { resolveSplitOptions } from "../../split/group-split.js";
import { splitFile } from "../../split/split-file.js";
import { formatSplitReport, type SplitMode } from "../../split/split-report.js";
import { numberFlag } from "../args.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { withProgressBar } from "../progress-bar.js";

const FORMATS: readonly DatasetFormat[] = [
  "legacy-jsonl",
  "frame-table",
  "coco",
  "run-record",
  "pairs",
];
const MODES: readonly SplitMode[] = ["stratified", "lx-ai", "random-groups"];

const usage = `Usage: trainset split --input FILE --out DIR [options]

Splits a dataset so that no group (examination, video, project…) is in two splits and every
label's rate stays close to the whole. Shares count samples, not groups. Writes one file per split
in the input's own format plus split_report.json, and prints the report.

Options:
  --input FILE        legacy JSONL, frame table (CSV/JSON), COCO JSON, run-record folder or pairs
  --out DIR           output folder (created when missing)
  --format F          skip detection: ${FORMATS.join(" | ")}
  --group-by FIELD    group field(s), comma-separated. Defaults: old_examination_id (legacy;
                      null = no_exam_<old_id>), video_id (frame table), id (COCO image, run-record),
                      project,timestamp (pairs)
  --group-map FILE    COCO: JSON {"<image id or file_name>": "<group>"} or CSV with group and
                      image_id/id/file_name columns
  --labels FIELD      label field(s), comma-separated. Defaults: labels (legacy), label_name of
                      rows with value true (frame table), the categories present (COCO: FIELD is a
                      category field, default name; run-record: category_name of the annotation
                      file, or a manifest field), project,chosen_stage (pairs). A list field gives
                      its entries, a scalar field gives field=value
  --ratios R          train=0.8,val=0.1,test=0.1 (default) or 0.8,0.1,0.1; must sum to 1
  --folds K           K folds (fold-1 … fold-K) instead of ratios; each group in exactly one
  --seed N            seed of every random choice (default 42)
  --split-mode M      stratified (default) | lx-ai (lx-ai's exact shuffle of groups, by group
                      count) | random-groups (GroupShuffleSplit-like, by group count)
  --json              print split_report.json instead of the table
  --quiet             no progress bar

Examples:
  trainset split --input legacy_img_dicts.jsonl --out splits
  trainset split --input dataset.json --out splits --ratios 0.7,0.2,0.1 --group-map groups.csv
  trainset split --input annotations.csv --out folds --folds 5 --seed 7
  trainset split --input legacy_img_dicts.jsonl --out lx --ratios train=0.7,val=0.2,test=0.1 --split-mode lx-ai`;

/** The split command. */
export const splitCommand: CliCommand = {
  name: "split",
  summary: "group-aware stratified train/val/test or k-fold split (one file per split + report)",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        input: { type: "string" },
        out: { type: "string" },
        format: { type: "string" },
        "group-by": { type: "string" },
        "group-map": { type: "string" },
        labels: { type: "string" },
        ratios: { type: "string" },
        folds: { type: "string" },
        seed: { type: "string" },
        "split-mode": { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
      },
    });
    if (positionals.length > 0)
      throw new UsageError(
        `unexpected argument "${positionals[0] ?? ""}" (give the file with --input)`,
      );
    if (values.input === undefined) throw new UsageError("missing --input FILE");
    if (values.out === undefined) throw new UsageError("missing --out DIR");
    const format = values.format as DatasetFormat | undefined;
    if (format !== undefined && !FORMATS.includes(format))
      throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
    const mode = (values["split-mode"] ?? "stratified") as SplitMode;
    if (!MODES.includes(mode))
      throw new UsageError(`--split-mode must be one of ${MODES.join(", ")}, got "${mode}"`);
    const folds = numberFlag("folds", values.folds, { integer: true, min: 2 });
    const seed = numberFlag("seed", values.seed, {
      integer: true,
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
    });
    if (folds !== undefined && values.ratios !== undefined)
      throw new UsageError("give either --ratios or --folds, not both");
    const splitOptions = {
      ...(values.ratios === undefined ? {} : { ratios: values.ratios }),
      ...(folds === undefined ? {} : { folds }),
    };
    // Bad ratios or folds fail here, before any file is read (main reports them as usage errors).
    resolveSplitOptions({ ...splitOptions, mode, ...(seed === undefined ? {} : { seed }) });
    const input = resolve(io.cwd, values.input);
    const out = resolve(io.cwd, values.out);
    const result = await withProgressBar(io, values.quiet === true || values.json === true, (onProgress) =>
      splitFile(input, {
        out,
        ...splitOptions,
        mode,
        ...(seed === undefined ? {} : { seed }),
        ...(format === undefined ? {} : { format }),
        ...(values["group-by"] === undefined ? {} : { groupBy: values["group-by"] }),
        ...(values["group-map"] === undefined
          ? {}
          : { groupMap: resolve(io.cwd, values["group-map"]) }),
        ...(values.labels === undefined ? {} : { labels: values.labels }),
        signal: io.signal,
        onProgress,
      }),
    );
    const { report } = result;
    if (values.json === true) {
      println(io.stdout, JSON.stringify(report, null, 2));
      return 0;
    }
    println(
      io.stdout,
      `${report.input} (${report.format}): ${report.whole.samples} ${report.unit} in ${report.whole.groups} groups by ${report.groupBy}; labels from ${report.labelSource}`,
    );
    println(io.stdout);
    println(io.stdout, formatSplitReport(report));
    println(io.stdout);
    println(
      io.stdout,
      `wrote ${result.files.length} files to ${values.out}: ${Object.values(report.files).join(", ")}, split_report.json`,
    );
    return 0;
  },
};
