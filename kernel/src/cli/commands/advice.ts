/** `trainset advice`: what to annotate next. */
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { labelingAdvice } from "../../service/advice.js";
import type { TrainSourceSpec } from "../../train/train-data.js";
import { ioError } from "../../util/errors.js";
import { numberFlag } from "../args.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { printJson, serviceFlags, serviceFlagsHelp, storeRootFor } from "./service-options.js";

const usage = `Usage: trainset advice [options]

Labeling advice (seed 004): the user's rating distribution over Low (0-0.3), Medium (0.3-0.7)
and High (0.7-1.0) with underrepresented (< 20 %) and heavily-skewed (|Low% - High%| > 40) warnings;
for a multilabel dataset the positives per label with under-represented labels flagged; and,
when a model is deployed (or --model-dir is given), the unlabeled frames ranked by the model's
uncertainty (mean binary entropy): the ones to label next.

Options:
${serviceFlagsHelp}
  --dataset PATH     multilabel dataset: legacy JSONL, frame table (.csv/.json) or COCO (.json)
  --format F         legacy-jsonl | frame-table | coco (default guessed from the file)
  --images DIR       image folder of the dataset (default the reader's default)
  --candidates PATH  frames to rank: a folder of images or a text file with one path per line
                     (default the dataset's unlabeled images)
  --model NAME       registry model to rank with (default frame-importance)
  --model-dir DIR    model folder to rank with instead (run folder or folder with model.onnx)
  --top N            how many frames to list (default 20)`;

const IMAGE = new Set([".jpg", ".jpeg", ".png", ".webp", ".bmp"]);

async function readCandidates(path: string): Promise<string[]> {
  const info = await stat(path).catch((error: unknown) => {
    throw ioError("read candidates", path, error);
  });
  if (info.isDirectory()) {
    const names = await readdir(path);
    return names.filter((n) => IMAGE.has(extname(n).toLowerCase())).sort().map((n) => join(path, n));
  }
  const text = await readFile(path, "utf8");
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "").map((l) => resolve(path, "..", l));
}

function guessFormat(path: string): TrainSourceSpec["kind"] {
  if (path.endsWith(".jsonl")) return "legacy-jsonl";
  if (path.endsWith(".csv")) return "frame-table";
  return "coco";
}

/** The `advice` command. */
export const adviceCommand: CliCommand = {
  name: "advice",
  summary: "labeling advice: rating balance, label balance, frames to label next",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...serviceFlags, dataset: { type: "string" }, format: { type: "string" }, images: { type: "string" }, candidates: { type: "string" }, model: { type: "string" }, "model-dir": { type: "string" }, top: { type: "string" } },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const top = numberFlag("top", values.top, { min: 1, integer: true });
    let dataset: TrainSourceSpec | undefined;
    if (values.dataset !== undefined) {
      const path = resolve(io.cwd, values.dataset);
      const kind = values.format ?? guessFormat(path);
      const images = values.images === undefined ? undefined : resolve(io.cwd, values.images);
      if (kind === "legacy-jsonl" || kind === "coco") dataset = { kind, path, ...(images === undefined ? {} : { images }) };
      else if (kind === "frame-table") dataset = { kind, path, ...(images === undefined ? {} : { frames: images }) };
      else throw new UsageError(`--format must be legacy-jsonl, frame-table or coco, got "${kind}"`);
    } else if (values.format !== undefined || values.images !== undefined) throw new UsageError("--format and --images need --dataset");
    const candidates = values.candidates === undefined ? undefined : await readCandidates(resolve(io.cwd, values.candidates));
    const report = await labelingAdvice(storeRootFor(values, io), {
      signal: io.signal,
      ...(values.user === undefined ? {} : { user: values.user }),
      ...(dataset === undefined ? {} : { dataset }),
      ...(candidates === undefined ? {} : { candidates }),
      ...(values.model === undefined ? {} : { model: values.model }),
      ...(values["model-dir"] === undefined ? {} : { modelDir: resolve(io.cwd, values["model-dir"]) }),
      ...(top === undefined ? {} : { topN: top }),
    });
    if (values.json === true) {
      printJson(io, report);
      return 0;
    }
    const r = report.ratings;
    println(io.stdout, `annotations: ${r.totalAnnotations}, average ${r.averageRating.toFixed(2)}, min ${r.minRating.toFixed(2)}, max ${r.maxRating.toFixed(2)}`);
    for (const [bucket, n] of Object.entries(r.ratingDistribution)) println(io.stdout, `  ${bucket.padEnd(18)} ${n}`);
    for (const w of r.warnings) println(io.stdout, `WARNING ${w}`);
    for (const x of r.recommendations) println(io.stdout, `TIP     ${x}`);
    println(io.stdout, `focus: ${r.focusAreas.join(", ")}`);
    if (report.labels !== undefined) {
      println(io.stdout, `\nlabels (${report.labels.images} images, ${report.labels.unlabeledImages} unlabeled):`);
      for (const l of report.labels.labels) println(io.stdout, `  ${l.underRepresented ? "!" : " "} ${l.label.padEnd(24)} ${String(l.positives).padStart(6)} positive  ${String(l.negatives).padStart(6)} negative`);
      for (const w of report.labels.warnings) println(io.stdout, `WARNING ${w}`);
      for (const x of report.labels.recommendations) println(io.stdout, `TIP     ${x}`);
    }
    if (report.labelNext !== undefined) {
      println(io.stdout, `\nlabel next (most uncertain for ${report.modelDir ?? "the model"}):`);
      report.labelNext.forEach((f, i) => println(io.stdout, `  ${String(i + 1).padStart(3)}. ${f.uncertainty.toFixed(3)}  ${f.image}${f.mostUncertainLabel === "" ? "" : `  (${f.mostUncertainLabel})`}`));
    } else if (report.labelNextNote !== undefined) println(io.stdout, `\nlabel next: ${report.labelNextNote}`);
    return 0;
  },
};
