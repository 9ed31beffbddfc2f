/** `trainset validate <file-or-dir>`: detect, validate, print `file:line: message`, exit 1 on errors. */
import { parseArgs } from "node:util";
import { discoverDatasets } from "../../formats/discover.js";
import type { DatasetFormat } from "../../formats/format-handler.js";
import { detectFormat } from "../../formats/registry.js";
import { TrainsetError } from "../../util/errors.js";
import { formatIssue, type ValidationIssue } from "../../util/issues.js";
import { numberFlag, requirePositionals } from "../args.js";
import { println, type CliCommand } from "../command.js";

const usage = `Usage: trainset validate <file-or-dir> [--format F] [--json] [--max-issues N] [--strict]

Detects the format (COCO, run-record folder, frame-annotation table CSV/JSON, lx-ai legacy
JSONL, preference pairs), validates it and prints one line per issue:
  file:line: error: message (field) [rule]
A folder that is not itself a dataset is searched for datasets.

Options:
  --format F        skip detection: coco | run-record | frame-table | legacy-jsonl | pairs
  --json            print {datasets:[{path, format, errors, warnings, issues}]} as JSON
  --max-issues N    stop listing after N issues per dataset (default 200)
  --strict          stop at the first error (exit 1)
Exit codes: 0 valid (warnings allowed), 1 errors found, 2 bad usage.`;

/** The validate command. */
export const validateCommand: CliCommand = {
  name: "validate",
  summary: "validate a dataset file or folder (format detected) and list its issues",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { format: { type: "string" }, json: { type: "boolean" }, "max-issues": { type: "string" }, strict: { type: "boolean" } },
    });
    const [target] = requirePositionals(positionals, 1, "the file or folder to validate") as [string];
    const maxIssues = numberFlag("max-issues", values["max-issues"], { min: 1, integer: true }) ?? 200;
    const datasets = values.format !== undefined ? [{ path: target, handler: await detectFormat(target, values.format as DatasetFormat) }] : await discoverDatasets(target);
    if (datasets.length === 0) throw new TrainsetError("UNSUPPORTED_FORMAT", `Cannot validate "${target}": no dataset trainset recognises is there`, { file: target });
    const results: Array<{ path: string; format: string; errors: number; warnings: number; issues: ValidationIssue[] }> = [];
    let errors = 0;
    for (const { path, handler } of datasets) {
      const issues = await handler.validate(path, { mode: values.strict === true ? "strict" : "collect", maxIssues, signal: io.signal });
      const e = issues.filter((i) => i.severity === "error").length;
      errors += e;
      results.push({ path, format: handler.format, errors: e, warnings: issues.length - e, issues });
      if (values.json !== true) {
        for (const issue of issues) println(io.stdout, formatIssue(issue.file === undefined ? { ...issue, file: path } : issue));
        const verdict = e === 0 ? "valid" : "INVALID";
        println(io.stdout, `${path}: ${handler.format}: ${verdict} (${e} error${e === 1 ? "" : "s"}, ${issues.length - e} warning${issues.length - e === 1 ? "" : "s"})`);
      }
    }
    if (values.json === true) println(io.stdout, JSON.stringify({ datasets: results }, null, 2));
    return errors > 0 ? 1 : 0;
  },
};
