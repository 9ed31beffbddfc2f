/** `trainset predict RUN IMAGE…`: label probabilities of a trained run for images or a folder. */
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { predict, predictWithOnnx } from "../../train/index.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { withProgressBar } from "../progress-bar.js";

const IMAGE = /\.(jpe?g|png|webp|bmp|tiff?)$/i;

const usage = `Usage: trainset predict RUN_DIR|MODEL.onnx IMAGE_OR_FOLDER… [--engine head|onnx] [--json] [--quiet]

Scores images with a trained run (its backbone, head and per-label thresholds tuned on val).
Prints one line per image with the labels at or above threshold; --json prints probabilities.

  --engine head    backbone + embeddings cache + the saved head (default)
  --engine onnx    the run's model.onnx alone in onnxruntime (runs with an ONNX backbone)
  MODEL.onnx       a trainset model.onnx on its own: labels, thresholds and preprocessing
                   come from its metadata (no run folder needed)
  --cache-dir DIR  embeddings cache for the head engine

Example:
  trainset predict runs/20260101T120000-s42 new_frames/
  trainset predict deploy/model.onnx new_frames/ --json`;

/** The predict command. */
export const predictCommand: CliCommand = {
  name: "predict",
  summary: "label images with a trained run (probabilities and thresholded labels)",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: "boolean" }, quiet: { type: "boolean" }, "cache-dir": { type: "string" }, engine: { type: "string" } } });
    const [run, ...inputs] = positionals;
    if (run === undefined || inputs.length === 0) throw new UsageError("give a run folder and at least one image or folder");
    const images: string[] = [];
    for (const input of inputs) {
      const path = resolve(io.cwd, input);
      const s = await stat(path).catch(() => undefined);
      if (s === undefined) throw new UsageError(`"${input}" does not exist`);
      if (s.isDirectory()) images.push(...(await readdir(path)).filter((f) => IMAGE.test(f)).sort().map((f) => join(path, f)));
      else images.push(path);
    }
    const engine = values.engine ?? "head";
    if (engine !== "head" && engine !== "onnx") throw new UsageError(`--engine must be head or onnx, got "${engine}"`);
    const target = resolve(io.cwd, run);
    const preds = await withProgressBar(io, values.quiet === true || values.json === true, (onProgress) =>
      target.endsWith(".onnx")
        ? predictWithOnnx(target, images, { signal: io.signal, onProgress })
        : predict(target, images, { signal: io.signal, onProgress, engine, ...(values["cache-dir"] === undefined ? {} : { cacheDir: resolve(io.cwd, values["cache-dir"]) }) }),
    );
    if (values.json === true) println(io.stdout, JSON.stringify(preds, null, 2));
    else for (const p of preds) println(io.stdout, `${p.image}\t${p.labels.join(",")}`);
    return 0;
  },
};
