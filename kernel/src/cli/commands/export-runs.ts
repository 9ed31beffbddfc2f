/** `trainset export runs`: qontinui run records → a run-record dataset folder plus COCO. */
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { readActionRecords } from "../../export/run-records/action-record.js";
import { TrainingExportService, type ExportMode } from "../../export/run-records/training-export-service.js";
import { numberFlag } from "../args.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { createProgressBar } from "../progress-bar.js";

const MODES: readonly ExportMode[] = ["on_completion", "incremental", "manual"];

const usage = `Usage: trainset export runs --records FILE --out DIR [options]

Exports qontinui-runner action records (JSONL, one ActionExecutionRecord per line) into a
training dataset folder: manifest.jsonl (appended), images/<16-hex>.png (deduplicated by
content), annotations/<16-hex>.json (template-match and click boxes, merged), metadata.json
(stable category ids, cumulative statistics) and a COCO dataset.json. Exporting into an existing
folder appends; records already exported (same action_id, start_time and screenshot) are skipped,
so a rerun after an interrupted export finishes it without duplicates.

Options:
  --records FILE       records JSONL (screenshot_reference, match_summary, clicked_location, …)
  --storage-dir DIR    run folder that screenshot_reference is relative to (default: the
                       records file's folder)
  --out DIR            dataset folder (created when missing)
  --mode M             on_completion (default) | incremental (export every --batch-size records)
                       | manual (collect, then export once at the end)
  --batch-size N       records per incremental export (default 50)
  --successful-only    only records with success: true
  --with-matches-only  only records with a found template match
  --coco FILE          where to write COCO (default DIR/dataset.json)
  --no-fsync           skip fsync of images and annotation files: still safe if the process is
                       killed (files are replaced by rename), not if the machine loses power
  --json               print the summary as JSON
  --quiet              no progress bar

Examples:
  trainset export runs --records run_001/records.jsonl --out datasets/my_app
  trainset export runs --records run_002/records.jsonl --out datasets/my_app --mode incremental --batch-size 100 --successful-only`;

/** The export runs command. */
export const exportRunsCommand: CliCommand = {
  name: "export runs",
  summary: "qontinui run records -> deduplicated screenshots, annotations, metadata, COCO (appends)",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        records: { type: "string" },
        "storage-dir": { type: "string" },
        out: { type: "string" },
        mode: { type: "string" },
        "batch-size": { type: "string" },
        "successful-only": { type: "boolean" },
        "with-matches-only": { type: "boolean" },
        coco: { type: "string" },
        "no-fsync": { type: "boolean" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ""}" (give the records with --records)`);
    if (values.records === undefined) throw new UsageError("missing --records FILE");
    if (values.out === undefined) throw new UsageError("missing --out DIR");
    const mode = (values.mode ?? "on_completion") as ExportMode;
    if (!MODES.includes(mode)) throw new UsageError(`--mode must be one of ${MODES.join(", ")}, got "${mode}"`);
    const batchSize = numberFlag("batch-size", values["batch-size"], { integer: true, min: 1 }) ?? 50;
    const records = resolve(io.cwd, values.records);
    const out = resolve(io.cwd, values.out);
    const bar = createProgressBar(io, { quiet: values.quiet === true || values.json === true });
    const service = new TrainingExportService({
      outputDir: out,
      storageDir: values["storage-dir"] === undefined ? dirname(records) : resolve(io.cwd, values["storage-dir"]),
      mode,
      batchSize,
      successfulOnly: values["successful-only"] === true,
      withMatchesOnly: values["with-matches-only"] === true,
      durable: values["no-fsync"] !== true,
      signal: io.signal,
      onProgress: bar.listener,
    });
    let coco;
    try {
      for await (const record of readActionRecords(records, { file: values.records, signal: io.signal })) await service.add(record);
      // manual mode: nothing is exported while collecting; the command is the manual trigger.
      if (mode === "manual") await service.exportNow();
      await service.complete();
      coco = await service.exportToCoco(values.coco === undefined ? undefined : resolve(io.cwd, values.coco));
    } finally {
      bar.done();
      await service.close();
    }
    const summary = service.summary();
    if (values.json === true) {
      println(io.stdout, JSON.stringify({ ...summary, coco: { images: coco.images.length, annotations: coco.annotations.length } }, null, 2));
      return 0;
    }
    const s = summary.session;
    println(io.stdout, `${values.records}: ${s.records_processed} records, ${s.records_exported} exported (${s.new_images} new images, ${s.duplicate_images} repeats), ${s.already_exported} already in the dataset, ${s.filtered} filtered, ${s.skipped_no_screenshot} without screenshot`);
    println(io.stdout, `${values.out}: ${summary.total_images} images, ${summary.total_annotations} annotations, ${summary.manifest_lines} manifest lines, categories ${JSON.stringify(summary.category_map)}`);
    println(io.stdout, `wrote COCO ${values.coco ?? `${values.out}/dataset.json`}: ${coco.images.length} images, ${coco.annotations.length} annotations`);
    return 0;
  },
};
