/** `trainset ensure-segment-annotations`: materialise segment labels as frame annotations. */
import { parseArgs } from "node:util";
import { ensureSegmentAnnotations } from "../../export/ensure-segment-annotations.js";
import { numberFlag, requirePositionals } from "../args.js";
import { DB_OPTIONS, DB_USAGE, openVideoSource } from "../db-flags.js";
import { println, UsageError, type CliCommand } from "../command.js";

const usage = `Usage: trainset ensure-segment-annotations (--library FILE | --db URL) --video-id N [--dry-run] [--all-segments] [--include-unvalidated] [--json]

Creates one value=true annotation (source manual_annotation) per frame per label inside the
video's segments marked for export, skipping those that exist; running it twice adds nothing.
The library file is rewritten atomically; with --db the rows are inserted into
endoreg_db_imageclassificationannotation in one transaction (ON CONFLICT DO NOTHING).

Options:
  --dry-run               only count what would be created
  --all-segments          every segment of the video, not only those marked for export
  --include-unvalidated   also segments whose validated flag is false (default: validated only)
  --json                  print the counters as JSON
${DB_USAGE}`;

/** The `ensure-segment-annotations` command. */
export const ensureSegmentAnnotationsCommand: CliCommand = {
  name: "ensure-segment-annotations",
  summary: "create missing frame annotations from a video's segments (idempotent)",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...DB_OPTIONS, library: { type: "string" }, "video-id": { type: "string" }, "dry-run": { type: "boolean" }, "all-segments": { type: "boolean" }, "include-unvalidated": { type: "boolean" }, json: { type: "boolean" } },
    });
    requirePositionals(positionals, 0, "");
    if ((values.library === undefined) === (values.db === undefined)) throw new UsageError("give one of --library FILE or --db URL");
    const videoId = numberFlag("video-id", values["video-id"], { min: 0, integer: true });
    if (videoId === undefined) throw new UsageError("missing --video-id N");
    const opened = await openVideoSource(values, io, [videoId]);
    let result;
    try {
      result = await ensureSegmentAnnotations(opened.source, videoId, {
        dryRun: values["dry-run"] === true,
        useExportFlags: values["all-segments"] !== true,
        validatedOnly: values["include-unvalidated"] !== true,
        signal: io.signal,
      });
    } finally {
      await opened.close();
    }
    if (values.json === true) println(io.stdout, JSON.stringify(result, null, 2));
    else for (const [k, v] of Object.entries(result)) println(io.stdout, `${k}: ${v}`);
    return 0;
  },
};
