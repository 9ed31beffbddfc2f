/** `trainset check-export DIR`: the seed's practical checks as pass/fail lines. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkExport } from "../../export/check-export.js";
import { FileVideoSource } from "../../export/video-source.js";
import { requirePositionals } from "../args.js";
import { println, type CliCommand } from "../command.js";

const usage = `Usage: trainset check-export DIR [--library FILE] [--table annotations.csv] [--json]

Checks an export folder before training: the table is valid with non-zero rows, every
frame_relative_path resolves under frames/, the videos are anonymization-validated (with
--library), ai_datasets/*.json have dataset_type image. Exit 1 when a check fails.`;

/** The `check-export` command. */
export const checkExportCommand: CliCommand = {
  name: "check-export",
  summary: "run the practical pre-training checks on an export folder",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { library: { type: "string" }, table: { type: "string" }, json: { type: "boolean" } } });
    const [dir] = requirePositionals(positionals, 1, "the export folder") as [string];
    const source = values.library === undefined ? undefined : await FileVideoSource.open(resolve(io.cwd, values.library));
    const result = await checkExport(resolve(io.cwd, dir), { ...(values.table === undefined ? {} : { table: values.table }), ...(source === undefined ? {} : { source }) });
    if (values.json === true) println(io.stdout, JSON.stringify(result, null, 2));
    else {
      for (const c of result.checks) println(io.stdout, `${c.status.toUpperCase().padEnd(4)} ${c.name}: ${c.detail}`);
      println(io.stdout, result.ok ? "export OK" : "export has FAILED checks");
    }
    return result.ok ? 0 : 1;
  },
};
