/** `trainset train-preference`: a Bradley–Terry model from the historical extraction's pairs. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { trainPreferenceModel, type PreferenceConfig } from "../../train/index.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { createProgressBar } from "../progress-bar.js";
import { formatSeconds } from "./train.js";
import { TASK_OPTIONS, TASK_USAGE, taskConfigFromFlags } from "./task-flags.js";

const usage = `Usage: trainset train-preference --pairs FILE [options]

Trains a preference score s(x) = w.x on cached backbone embeddings from winner/loser decisions
(the pairs file of \`trainset historical\`, JSONL or CSV): P(kept over not kept) = sigmoid(s(a) - s(b)).
Decision groups never straddle splits; prints held-out pairwise and top-1 accuracy.

  --pairs FILE           pairs file (JSONL or the seed's CSV)
  --images-root DIR      resolves relative paths (default: each record's metadata.raw_dir, else the file's folder)
${TASK_USAGE}

Example:
  trainset train-preference --pairs historical/pairs.jsonl --epochs 60`;

/** The train-preference command. */
export const trainPreferenceCommand: CliCommand = {
  name: "train-preference",
  summary: "train a pairwise preference model from winner/loser pairs",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...TASK_OPTIONS, pairs: { type: "string" }, "images-root": { type: "string" } } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ""}"`);
    if (values.pairs === undefined) throw new UsageError("give --pairs FILE");
    const config = {
      ...taskConfigFromFlags(values, io),
      pairs: resolve(io.cwd, values.pairs),
      ...(values["images-root"] === undefined ? {} : { imagesRoot: resolve(io.cwd, values["images-root"]) }),
    } as PreferenceConfig;
    const quiet = values.quiet === true || values.json === true;
    const bar = createProgressBar(io, { quiet });
    let result;
    try {
      result = await trainPreferenceModel(config, {
        signal: io.signal,
        onProgress: bar.listener,
        onEpoch: (e) => {
          bar.done();
          if (!quiet) io.stderr.write(`epoch ${e.epoch}/${e.epochs}  train ${e.train_loss.toFixed(4)}  val pair acc ${e.val_accuracy?.toFixed(3) ?? "-"}  ETA ${formatSeconds(e.eta_seconds)}\n`);
        },
      });
    } finally {
      bar.done();
    }
    const { meta, runDir } = result;
    if (values.json === true) println(io.stdout, JSON.stringify(meta, null, 2));
    else {
      const t = meta.test_metrics;
      println(io.stdout, `data: ${meta.data.groups} decisions (${meta.data.rejected_groups} rejected groups skipped), ${meta.data.images} images; pairs train ${meta.data.pairs.train}, val ${meta.data.pairs.val}, test ${meta.data.pairs.test}`);
      println(io.stdout, `test: pairwise accuracy ${t?.accuracy?.toFixed(3) ?? "-"}, log loss ${t?.log_loss?.toFixed(4) ?? "-"}, top-1 ${t?.top1_accuracy?.toFixed(3) ?? "-"} (chance ${t?.top1_chance?.toFixed(3) ?? "-"})`);
      println(io.stdout, `run: ${runDir}${meta.onnx === undefined ? "" : ` (${meta.onnx.file})`}`);
    }
    return 0;
  },
};
