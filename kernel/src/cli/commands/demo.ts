/** `trainset demo`: build the sample workspace and run every capability on it. */
import { parseArgs } from "node:util";
import { runDemo } from "../../demo/run-demo.js";
import { requirePositionals } from "../args.js";
import { println, type CliCommand } from "../command.js";
import { createProgressBar } from "../progress-bar.js";

/** The demo command. */
export const demoCommand: CliCommand = {
  name: "demo",
  summary: "build a sample workspace (images, video, every format) and run every capability on it",
  usage: `Usage: trainset demo [--out DIR] [--only STEP] [--json] [--quiet]

Builds a small workspace from nothing — synthetic images (sharp), a short video (ffmpeg),
annotations in every format trainset reads — runs each capability on it, validates all of it
and prints a summary. Needs no internet. Rerunning replaces an earlier demo in the same folder;
any other non-empty folder is refused.

Options:
  --out DIR     where to build it (default: demo-workspace)
  --only STEP   run only steps whose title contains STEP (repeatable)
  --json        print the summary as JSON
  --quiet       no progress bar`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: "string" }, only: { type: "string", multiple: true }, json: { type: "boolean" }, quiet: { type: "boolean" } } });
    requirePositionals(positionals, 0, "");
    const bar = createProgressBar(io, { quiet: values.quiet === true || values.json === true });
    const result = await runDemo(values.out ?? "demo-workspace", {
      signal: io.signal,
      onProgress: bar.listener,
      ...(values.only === undefined ? {} : { only: values.only }),
      onStep: (title, i, total) => {
        bar.done();
        if (values.json !== true) println(io.stdout, `[${i + 1}/${total}] ${title}`);
      },
    });
    bar.done();
    if (values.json === true) {
      println(io.stdout, JSON.stringify(result, null, 2));
    } else {
      println(io.stdout, `\nDemo workspace: ${result.root}`);
      for (const step of result.steps) {
        println(io.stdout, `  ${step.title} (${step.seconds.toFixed(1)} s)`);
        for (const note of step.notes) println(io.stdout, `    - ${note}`);
      }
      println(io.stdout, "\nValidation of everything it made (trainset validate):");
      for (const d of result.datasets) println(io.stdout, `  ${d.errors === 0 ? "valid  " : "INVALID"}  ${d.format.padEnd(13)} ${d.path}  (${d.errors} errors, ${d.warnings} warnings)`);
      println(io.stdout, `\nNext: trainset stats ${result.root}   ·   trainset validate ${result.root}`);
    }
    return result.datasets.every((d) => d.errors === 0) ? 0 : 1;
  },
};
