/** `trainset eval RUN --legacy F`: a trained run's metrics on a labelled data set. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { evaluateRun } from "../../train/index.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { withProgressBar } from "../progress-bar.js";
import { printMetricsTable, SOURCE_OPTIONS, sourceFromFlags } from "./train.js";

const usage = `Usage: trainset eval RUN_DIR (--legacy F | --frame-table F | --coco F) [--images DIR] [--engine head|onnx] [--json]

Evaluates a trained run on a labelled data set (same labelset rules as training): global and
per-label precision, recall, F1, AP and support, at 0.5 and at the run's tuned thresholds.
--engine onnx scores with the run's model.onnx instead of backbone + head (ONNX backbones).

Example:
  trainset eval runs/20260101T120000-s42 --legacy holdout.jsonl`;

/** The eval command. */
export const evalCommand: CliCommand = {
  name: "eval",
  summary: "evaluate a trained run on a labelled data set (per-label metrics)",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...SOURCE_OPTIONS, "treat-unlabeled-as-negative": { type: "boolean" }, json: { type: "boolean" }, quiet: { type: "boolean" }, engine: { type: "string" } } });
    const engine = values.engine ?? "head";
    if (engine !== "head" && engine !== "onnx") throw new UsageError(`--engine must be head or onnx, got "${engine}"`);
    const run = positionals[0];
    if (run === undefined || positionals.length > 1) throw new UsageError("give exactly one run folder");
    const source = sourceFromFlags(values, io);
    if (source === undefined) throw new UsageError("give a data source (--legacy, --frame-table or --coco)");
    const result = await withProgressBar(io, values.quiet === true || values.json === true, (onProgress) =>
      evaluateRun(resolve(io.cwd, run), source, { signal: io.signal, onProgress, engine, treatUnlabeledAsNegative: values["treat-unlabeled-as-negative"] === true }),
    );
    if (values.json === true) {
      println(io.stdout, JSON.stringify(result, null, 2));
      return 0;
    }
    println(io.stdout, `${result.images} images (${result.dropped_zero_positive} dropped without a positive label)`);
    printMetricsTable(io, "@0.5", result.at_0_5);
    printMetricsTable(io, "@tuned thresholds", result.tuned);
    return 0;
  },
};
