/** `trainset convert`: a qontinui run-record folder to COCO, or COCO to a run-record folder. */
import { stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { readCoco, writeCoco } from "../../formats/coco.js";
import { cocoToRunRecord, runRecordToCoco } from "../../formats/convert.js";
import { readRunRecordDataset } from "../../formats/run-record-dataset.js";
import { ioError, TrainsetError } from "../../util/errors.js";
import { formatIssue, IssueCollector } from "../../util/issues.js";
import { numberFlag, requirePositionals } from "../args.js";
import { println, UsageError, type CliCommand, type CliIo } from "../command.js";
import { createProgressBar } from "../progress-bar.js";

const usage = `Usage: trainset convert <run-record-dir> --to coco [--out dataset.json]
       trainset convert <coco.json> --to run-record --out DIR [--images DIR] [--link]

Converts between qontinui's run-record folder (manifest.jsonl, images/, annotations/,
metadata.json) and COCO detection JSON. The input is validated first; errors stop the
conversion (exit 1), warnings are printed and the conversion goes on.

run-record -> COCO: integer ids from 1 (images in manifest order), category ids kept,
  confidence/source/verified kept on each annotation, the 16-hex id kept as run_record_id and
  in file_name (images/<id>.png). Default --out: <run-record-dir>/dataset.json.
COCO -> run-record: each image is hashed and placed as images/<16-hex id>.<ext>; one
  annotation file per image with boxes, manifest.jsonl and metadata.json are written.

Options:
  --to FORMAT          coco | run-record (required)
  --out PATH           output file (coco) or new folder (run-record)
  --images DIR         folder the COCO file_names are relative to (default: the COCO file's folder)
  --link               hard-link images instead of copying them
  --bbox-tolerance PX  how far a box may leave its image before it is an error (default 1)
  --json               print the result as JSON
  --quiet              no progress bar
Exit codes: 0 converted, 1 input has errors or the conversion failed, 2 bad usage.`;

const MAX_PRINTED = 50;

function printIssues(io: CliIo, collector: IssueCollector, json: boolean): number {
  const errors = collector.errorCount;
  if (json) return errors;
  const shown = collector.issues.slice(0, MAX_PRINTED);
  for (const issue of shown) println(io.stderr, formatIssue(issue));
  if (collector.total > shown.length) println(io.stderr, `... and ${collector.total - shown.length} more issue(s); run \`trainset validate\` for the list`);
  return errors;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    throw ioError("read", path, error);
  }
}

/** The convert command. */
export const convertCommand: CliCommand = {
  name: "convert",
  summary: "convert a qontinui run-record folder to COCO, or COCO to a run-record folder",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        to: { type: "string" },
        out: { type: "string" },
        images: { type: "string" },
        link: { type: "boolean" },
        "bbox-tolerance": { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
      },
    });
    const [inputArg] = requirePositionals(positionals, 1, "the run-record folder or COCO file to convert") as [string];
    const to = values.to;
    if (to !== "coco" && to !== "run-record") throw new UsageError(`--to must be coco or run-record, got ${to === undefined ? "nothing" : `"${to}"`}`);
    const tolerance = numberFlag("bbox-tolerance", values["bbox-tolerance"], { min: 0 });
    const json = values.json === true;
    const input = resolve(io.cwd, inputArg);
    const inputIsDir = await isDirectory(input);
    const bar = createProgressBar(io, { quiet: values.quiet === true || json });
    const issues = new IssueCollector(undefined, { mode: "collect", maxIssues: MAX_PRINTED + 1 });
    const control = { signal: io.signal, onProgress: bar.listener };
    try {
      if (to === "coco") {
        if (!inputIsDir) throw new UsageError(`"${inputArg}" is a file; --to coco converts a run-record folder`);
        if (values.images !== undefined || values.link === true) throw new UsageError("--images and --link apply to --to run-record only");
        const out = resolve(io.cwd, values.out ?? join(inputArg, "dataset.json"));
        const dataset = await readRunRecordDataset(input, { ...control, issues, ...(tolerance === undefined ? {} : { bboxTolerance: tolerance }) });
        bar.done();
        const errors = printIssues(io, issues, json);
        if (errors > 0) throw new TrainsetError("VALIDATION_ERROR", `Cannot convert "${inputArg}": it has ${errors} error(s); fix them first (\`trainset validate ${inputArg}\`)`, { file: inputArg });
        const coco = await runRecordToCoco(dataset, control);
        await writeCoco(out, coco);
        bar.done();
        const result = { from: "run-record", to: "coco", input, out, images: coco.images.length, annotations: coco.annotations.length, categories: coco.categories.length, warnings: issues.total - errors };
        if (json) println(io.stdout, JSON.stringify({ ...result, issues: issues.issues }, null, 2));
        else println(io.stdout, `Wrote ${out}: ${result.images} images, ${result.annotations} annotations, ${result.categories} categories`);
        return 0;
      }
      if (inputIsDir) throw new UsageError(`"${inputArg}" is a folder; --to run-record converts a COCO file`);
      if (values.out === undefined) throw new UsageError("--to run-record needs --out DIR (a new folder)");
      const out = resolve(io.cwd, values.out);
      const images = resolve(io.cwd, values.images ?? dirname(inputArg));
      const coco = await readCoco(input, { issues, file: inputArg, signal: io.signal, ...(tolerance === undefined ? {} : { bboxTolerance: tolerance }) });
      const errors = printIssues(io, issues, json);
      if (errors > 0) throw new TrainsetError("VALIDATION_ERROR", `Cannot convert "${inputArg}": it has ${errors} error(s); fix them first (\`trainset validate ${inputArg}\`)`, { file: inputArg });
      const result = await cocoToRunRecord(coco, { ...control, images, out, link: values.link === true });
      bar.done();
      if (json) {
        println(io.stdout, JSON.stringify({ from: "coco", to: "run-record", input, ...result, issues: issues.issues }, null, 2));
      } else {
        for (const warning of result.warnings) println(io.stderr, `warning: ${warning}`);
        const dup = result.duplicateImages > 0 ? ` (${result.duplicateImages} duplicate image(s) merged)` : "";
        println(io.stdout, `Wrote ${out}: ${result.images} images${dup}, ${result.annotations} annotations, ${result.categories} categories, ${result.manifestLines} manifest lines`);
      }
      return 0;
    } finally {
      bar.done();
    }
  },
};
