/** `trainset check-leaks A B [C…]`: groups and images shared between split files. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { DatasetFormat } from "../../formats/format-handler.js";
import { checkLeaks } from "../../split/leak-check.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { withProgressBar } from "../progress-bar.js";

const FORMATS: readonly DatasetFormat[] = [
  "legacy-jsonl",
  "frame-table",
  "coco",
  "run-record",
  "pairs",
];
const SHOWN = 20;

const usage = `Usage: trainset check-leaks A B [C…] [options]

Looks for leaks between split files: groups present in more than one split, and the same image
(by the SHA-256 of its bytes) in more than one split under any name. Exits 1 when one is found.

Options:
  --format F         skip detection: ${FORMATS.join(" | ")}
  --group-by FIELD   group field(s), as for trainset split (same defaults)
  --images DIR       folder image names are relative to (default: the file's folder; frame
                     tables: <folder>/frames; run-record: the dataset folder)
  --no-hash          compare image paths only, do not read the images
  --json             print the findings as JSON
  --quiet            no progress bar

Example:
  trainset check-leaks splits/train.jsonl splits/val.jsonl splits/test.jsonl --images legacy_images/`;

/** The check-leaks command. */
export const checkLeaksCommand: CliCommand = {
  name: "check-leaks",
  summary: "find groups and identical images shared between split files (exit 1 when any)",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: "string" },
        "group-by": { type: "string" },
        images: { type: "string" },
        "no-hash": { type: "boolean" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
      },
    });
    if (positionals.length < 2) throw new UsageError("give at least two split files");
    const format = values.format as DatasetFormat | undefined;
    if (format !== undefined && !FORMATS.includes(format))
      throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
    const report = await withProgressBar(io, values.quiet === true || values.json === true, (onProgress) =>
      checkLeaks(
        positionals.map((p) => resolve(io.cwd, p)),
        {
          hashImages: values["no-hash"] !== true,
          ...(format === undefined ? {} : { format }),
          ...(values["group-by"] === undefined ? {} : { groupBy: values["group-by"] }),
          ...(values.images === undefined ? {} : { images: resolve(io.cwd, values.images) }),
          signal: io.signal,
          onProgress,
        },
      ),
    );
    if (values.json === true) {
      println(io.stdout, JSON.stringify(report, null, 2));
      return report.leak ? 1 : 0;
    }
    const name = (path: string): string =>
      positionals[report.files.findIndex((f) => f.path === path)] ?? path;
    for (const f of report.files)
      println(
        io.stdout,
        `${name(f.path)} (${f.format}): ${f.samples} samples, ${f.groups} groups, ${f.images} image files`,
      );
    println(io.stdout);
    if (report.sharedGroupCount > 0) {
      println(io.stdout, `${report.sharedGroupCount} group(s) in more than one split:`);
      for (const g of report.sharedGroups.slice(0, SHOWN))
        println(io.stdout, `  ${g.group}: ${g.files.map(name).join(", ")}`);
      if (report.sharedGroupCount > SHOWN)
        println(io.stdout, `  … and ${report.sharedGroupCount - SHOWN} more (--json lists them)`);
    }
    if (report.duplicateImageCount > 0) {
      println(
        io.stdout,
        `${report.duplicateImageCount} image(s) in more than one split${report.hashed ? " (same bytes)" : " (same path)"}:`,
      );
      for (const d of report.duplicateImages.slice(0, SHOWN)) {
        const id = d.sha256 === null ? "missing file" : d.sha256.slice(0, 16);
        println(
          io.stdout,
          `  ${id}: ${d.occurrences.map((o) => `${name(o.file)}:${o.name}`).join(", ")}`,
        );
      }
      if (report.duplicateImageCount > SHOWN)
        println(
          io.stdout,
          `  … and ${report.duplicateImageCount - SHOWN} more (--json lists them)`,
        );
    }
    if (report.missingImages > 0)
      println(
        io.stdout,
        `note: ${report.missingImages} image file(s) not found; those were compared by path (use --images DIR)`,
      );
    println(
      io.stdout,
      report.leak
        ? "LEAK: the splits share groups or images"
        : "no leaks: no group or image is in two splits",
    );
    return report.leak ? 1 : 0;
  },
};
