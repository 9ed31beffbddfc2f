/** `trainset analyze RUN`: post-training analysis with an Accept / Accept with caution / Revert call. */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { analyzeRun } from "../../service/post-training-analysis.js";
import { storePaths } from "../../service/store-layout.js";
import { numberFlag, requirePositionals } from "../args.js";
import { println, type CliCommand } from "../command.js";
import { printJson, serviceFlags, serviceFlagsHelp, storeRootFor } from "./service-options.js";

const usage = `Usage: trainset analyze RUN [options]

Analyses a completed training run (a run folder, or a run id under <store>/runs/): the loss band
(excellent < 0.1, good < 0.3, moderate < 0.5, high < 0.7, very high), the sample count (minimum
20, 100+ recommended), the duration against the estimate, the metrics against the active model's,
a quality score and the recommendation Accept, Accept with caution or Revert.

Options:
${serviceFlagsHelp.split("\n").filter((l) => !l.includes("--user")).join("\n")}
  --model NAME      registry model to compare with (default frame-importance)
  --estimate MIN    the preflight estimate in minutes (default computed from the sample count)`;

/** The `analyze` command. */
export const analyzeCommand: CliCommand = {
  name: "analyze",
  summary: "post-training analysis of a run: Accept, Accept with caution or Revert",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { store: serviceFlags.store, json: serviceFlags.json, model: { type: "string" }, estimate: { type: "string" } } });
    const [run] = requirePositionals(positionals, 1, "the run folder or run id") as [string];
    const root = storeRootFor(values, io);
    const direct = resolve(io.cwd, run);
    const runDir = (await stat(direct).then((s) => s.isDirectory(), () => false)) ? direct : storePaths(root).runDir(run);
    const estimate = numberFlag("estimate", values.estimate, { min: 0 });
    const a = await analyzeRun(runDir, { root, ...(values.model === undefined ? {} : { model: values.model }), ...(estimate === undefined ? {} : { estimatedTimeMinutes: estimate }) });
    if (values.json === true) {
      printJson(io, a);
      return 0;
    }
    println(io.stdout, `recommendation: ${a.recommendation} (quality score ${a.qualityScore})`);
    println(io.stdout, `loss ${a.trainingLoss.toFixed(4)}, ${a.trainingSamples} training samples of ${a.annotationCount}, ${a.actualTimeMinutes} min (estimate ${a.estimatedTimeMinutes})`);
    for (const o of a.observations) println(io.stdout, `  + ${o}`);
    for (const w of a.warnings) println(io.stdout, `  ! ${w}`);
    for (const c of a.concerns) println(io.stdout, `  x ${c}`);
    if (a.comparedWith !== undefined) {
      println(io.stdout, `compared with the active ${a.comparedWith.version}:`);
      for (const m of a.comparedWith.metrics) println(io.stdout, `  ${m.metric.padEnd(22)} ${m.candidate.toFixed(4)} vs ${m.active.toFixed(4)}  ${m.delta >= 0 ? "+" : ""}${m.delta.toFixed(4)} ${m.better ? "better" : m.delta === 0 ? "same" : "worse"}`);
    }
    println(io.stdout, a.summary);
    for (const s of a.nextSteps) println(io.stdout, `  next: ${s}`);
    return 0;
  },
};
