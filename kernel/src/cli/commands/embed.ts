/** `trainset embed`: fills the embeddings cache for a data set or image files. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { embedImages, loadBackbone, readTrainSamples } from "../../train/index.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { createProgressBar } from "../progress-bar.js";
import { formatSeconds, SOURCE_OPTIONS, sourceFromFlags } from "./train.js";

const usage = `Usage: trainset embed [IMAGE…] [--legacy F | --frame-table F | --coco F] [options]

Computes backbone embeddings once and stores them in the cache, keyed by (backbone hash, image
content hash, preprocessing), so training never runs the backbone for these images again.

Options:
  --backbone B          builtin (default) or a .onnx file     --backbone-output N
  --threads N           ONNX Runtime threads
  --batch-size N        images per forward (default 16)
  --cache-dir DIR       (default .trainset/embeddings)
  --images DIR          image folder of the data set
  --json  --quiet

Example:
  trainset embed --legacy legacy/legacy_img_dicts.jsonl --backbone resnet50.onnx`;

/** The embed command. */
export const embedCommand: CliCommand = {
  name: "embed",
  summary: "compute and cache backbone embeddings (so training skips the backbone)",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...SOURCE_OPTIONS,
        backbone: { type: "string" },
        "backbone-output": { type: "string" },
        threads: { type: "string" },
        "batch-size": { type: "string" },
        "cache-dir": { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
      },
    });
    const source = sourceFromFlags(values, io);
    const images = source === undefined ? positionals.map((p) => resolve(io.cwd, p)) : (await readTrainSamples(source)).map((s) => s.image);
    if (images.length === 0) throw new UsageError("give image files or a data source (--legacy, --frame-table, --coco)");
    const batchSize = values["batch-size"] === undefined ? 16 : Number(values["batch-size"]);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError("--batch-size must be a whole number >= 1");
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    const b = values.backbone ?? "builtin";
    const backbone = await loadBackbone(
      b === "builtin"
        ? { kind: "builtin" }
        : { kind: "onnx", path: resolve(io.cwd, b), ...(values["backbone-output"] === undefined ? {} : { output: values["backbone-output"] }), ...(threads === undefined ? {} : { threads }) },
    );
    const bar = createProgressBar(io, { quiet: values.quiet === true || values.json === true });
    const unique = [...new Set(images)];
    let result;
    try {
      result = await embedImages(unique, backbone, { cacheDir: resolve(io.cwd, values["cache-dir"] ?? ".trainset/embeddings"), batchSize, signal: io.signal, onProgress: bar.listener });
    } finally {
      bar.done();
      await backbone.dispose();
    }
    const summary = {
      backbone: backbone.name,
      images: unique.length,
      dim: result.dim,
      computed: result.computed,
      cache_hits: result.cacheHits,
      backbone_seconds: result.backboneSeconds,
      images_per_second: result.computed === 0 ? null : result.computed / result.backboneSeconds,
    };
    if (values.json === true) println(io.stdout, JSON.stringify(summary, null, 2));
    else
      println(io.stdout, `${summary.images} images, ${summary.dim}-d: ${summary.computed} computed in ${formatSeconds(summary.backbone_seconds)}${summary.images_per_second === null ? "" : ` (${summary.images_per_second.toFixed(1)} img/s)`}, ${summary.cache_hits} from the cache`);
    return 0;
  },
};
