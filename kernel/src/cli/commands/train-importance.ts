/** `trainset train-importance`: seed 004's frame-importance regression head from 0–1 ratings. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { trainFrameImportance, type FrameImportanceConfig } from "../../train/index.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { createProgressBar } from "../progress-bar.js";
import { formatSeconds } from "./train.js";
import { TASK_OPTIONS, TASK_USAGE, taskConfigFromFlags } from "./task-flags.js";

const usage = `Usage: trainset train-importance --annotations FILE [options]

Trains a frame-importance head (sigmoid output, 0-1) on cached backbone embeddings from an
annotation store's JSONL ({"frame_path": ..., "rating": 0.0-1.0} per line; repeats averaged),
split by video/folder, and writes runs/<run_id>/ with held-out MAE, RMSE and Spearman's rho.

  --annotations FILE     annotation-store JSONL (e.g. .trainset/annotations/<user>/annotations.jsonl)
  --frames-root DIR      resolves relative frame paths (default: the JSONL file's folder)
  --head linear|mlp (linear)  --hidden-units N (64)  --loss mse|bce (mse)
${TASK_USAGE}

Example:
  trainset train-importance --annotations .trainset/annotations/alice/annotations.jsonl --epochs 40`;

/** The train-importance command. */
export const trainImportanceCommand: CliCommand = {
  name: "train-importance",
  summary: "train a frame-importance regression head from 0-1 ratings",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...TASK_OPTIONS, annotations: { type: "string" }, "frames-root": { type: "string" }, head: { type: "string" }, "hidden-units": { type: "string" }, loss: { type: "string" } } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ""}"`);
    if (values.annotations === undefined) throw new UsageError("give --annotations FILE");
    if (values.head !== undefined && values.head !== "linear" && values.head !== "mlp") throw new UsageError(`--head must be linear or mlp, got "${values.head}"`);
    if (values.loss !== undefined && values.loss !== "mse" && values.loss !== "bce") throw new UsageError(`--loss must be mse or bce, got "${values.loss}"`);
    const hidden = values["hidden-units"] === undefined ? undefined : Number(values["hidden-units"]);
    const config = {
      ...taskConfigFromFlags(values, io),
      source: { annotations: resolve(io.cwd, values.annotations), ...(values["frames-root"] === undefined ? {} : { framesRoot: resolve(io.cwd, values["frames-root"]) }) },
      ...(values.head === undefined ? {} : { head: values.head }),
      ...(values.loss === undefined ? {} : { loss: values.loss }),
      ...(hidden === undefined ? {} : { hiddenUnits: hidden }),
    } as FrameImportanceConfig;
    const quiet = values.quiet === true || values.json === true;
    const bar = createProgressBar(io, { quiet });
    let result;
    try {
      result = await trainFrameImportance(config, {
        signal: io.signal,
        onProgress: bar.listener,
        onEpoch: (e) => {
          bar.done();
          if (!quiet) io.stderr.write(`epoch ${e.epoch}/${e.epochs}  train ${e.train_loss.toFixed(4)}  val MAE ${e.val_mae?.toFixed(4) ?? "-"}  val rho ${e.val_spearman?.toFixed(3) ?? "-"}  ETA ${formatSeconds(e.eta_seconds)}\n`);
        },
      });
    } finally {
      bar.done();
    }
    const { meta, runDir } = result;
    if (values.json === true) println(io.stdout, JSON.stringify(meta, null, 2));
    else {
      const t = meta.test_metrics;
      println(io.stdout, `data: ${meta.data.frames} frames (train ${meta.data.splits.train}, val ${meta.data.splits.val}, test ${meta.data.splits.test}); tfjs ${meta.backend.tfjs}; backbone ${meta.backend.backbone}`);
      println(io.stdout, `test: MAE ${t?.mae?.toFixed(4) ?? "-"} (predicting the mean: ${meta.test_baseline_mae?.toFixed(4) ?? "-"}), RMSE ${t?.rmse?.toFixed(4) ?? "-"}, Spearman ${t?.spearman?.toFixed(3) ?? "-"}`);
      println(io.stdout, `run: ${runDir}${meta.onnx === undefined ? "" : ` (${meta.onnx.file})`}`);
    }
    return 0;
  },
};
