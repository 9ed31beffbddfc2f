/** `trainset train`: lx-ai's multilabel training on cached embeddings, from a JSON config and/or flags. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  parseTrainConfig,
  readTrainConfig,
  resolveConfigPaths,
  train,
  type MultilabelMetrics,
  type TrainConfig,
  type TrainSourceSpec,
} from "../../train/index.js";
import { println, UsageError, type CliCommand, type CliIo } from "../command.js";
import { createProgressBar } from "../progress-bar.js";
import { numberFlag } from "../args.js";
import { DB_OPTIONS, dbUrlFromFlag } from "../db-flags.js";

const usage = `Usage: trainset train [--config train.json] [options]

Trains a multilabel head (lx-ai's recipe: focal loss, class weights, AdamW, warmup + cosine,
group split by examination) on backbone embeddings cached on disk, and writes runs/<run_id>/
(meta.json in lx-ai's shape, history.jsonl, head.json + head.bin). Flags override the config file.

Data (one of):
  --legacy FILE          lx-ai legacy JSONL (images in <folder>/images unless --images)
  --frame-table FILE     frame-annotation table CSV/JSON (frames in <folder>/frames unless --images)
  --coco FILE            COCO json (labels = categories present)
  --images DIR           image folder
  --treat-unlabeled-as-negative   labels: null become negatives instead of masked
  --db URL|env           an endoreg-db AI dataset, read in place (read-only): postgres://user[:pw]@host/name,
                         or "env" for lx-ai's DEV_DB_* / DJANGO_DB_* variables; with
  --dataset-id N --labelset-id N --labelset-version N   (lx-ai's dataset_id, labelset_id, labelset_version_to_train)
  --media-root DIR       resolves relative frame_dir values (default .)

Model:
  --backbone B           builtin (MobileNetV2 from nsfwjs, default) or a .onnx file
  --backbone-output N    ONNX output node to cut at (default the first output)
  --head linear|mlp      (default linear)    --hidden-units N (default 256)
  --loss focal|bce       (default focal)     --alpha A (0.25)  --gamma G (2)
  --epochs N (35)  --batch-size N (32)  --lr-head X (1e-3)  --weight-decay X (0.01)
  --warmup-epochs N (3)  --min-lr X (1e-6)  --patience N (0 = off)  --monitor val_loss|val_map|val_macro_f1
  --val-split X (0.2)  --test-split X (0.1)  --split-mode lx-ai|stratified|random-groups (lx-ai)
  --seed N (42)  --tf-backend auto|tensorflow-gpu|tensorflow|wasm|cpu (auto)
  --unfreeze             fine-tune the built-in backbone's last layers first (lx-ai's unfreeze; needs
                         @tensorflow/tfjs-node or -gpu)   --unfreeze-layers N (20)  --finetune-epochs N (5)
                         --lr-backbone X (1e-4)

Output:
  --runs-dir DIR (runs)  --run-id ID  --cache-dir DIR (.trainset/embeddings)
  --json                 print meta.json      --quiet    no progress

Example:
  trainset train --legacy legacy/legacy_img_dicts.jsonl --epochs 20 --head mlp`;

/** Data-source flags shared by train, embed and eval. */
export const SOURCE_OPTIONS = {
  legacy: { type: "string" },
  "frame-table": { type: "string" },
  coco: { type: "string" },
  images: { type: "string" },
} as const;

/** The source from `--legacy/--frame-table/--coco [--images]`, or undefined. */
export function sourceFromFlags(values: { legacy?: string | undefined; "frame-table"?: string | undefined; coco?: string | undefined; images?: string | undefined }, io: CliIo): TrainSourceSpec | undefined {
  const given = (["legacy", "frame-table", "coco"] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1) throw new UsageError("give only one of --legacy, --frame-table, --coco");
  const images = values.images === undefined ? undefined : resolve(io.cwd, values.images);
  if (values.legacy !== undefined) return { kind: "legacy-jsonl", path: resolve(io.cwd, values.legacy), ...(images === undefined ? {} : { images }) };
  if (values["frame-table"] !== undefined) return { kind: "frame-table", path: resolve(io.cwd, values["frame-table"]), ...(images === undefined ? {} : { frames: images }) };
  if (values.coco !== undefined) return { kind: "coco", path: resolve(io.cwd, values.coco), ...(images === undefined ? {} : { images }) };
  return undefined;
}

/** The postgres source from `--db ... --dataset-id --labelset-id --labelset-version`, or undefined. */
export function dbSourceFromFlags(values: { db?: string | undefined; "media-root"?: string | undefined; "dataset-id"?: string | undefined; "labelset-id"?: string | undefined; "labelset-version"?: string | undefined; legacy?: string | undefined; "frame-table"?: string | undefined; coco?: string | undefined }, io: CliIo): TrainSourceSpec | undefined {
  if (values.db === undefined) return undefined;
  if (values.legacy !== undefined || values["frame-table"] !== undefined || values.coco !== undefined) throw new UsageError("give only one of --db, --legacy, --frame-table, --coco");
  const need = (flag: "dataset-id" | "labelset-id" | "labelset-version"): number => {
    const n = numberFlag(flag, values[flag], { min: 0, integer: true });
    if (n === undefined) throw new UsageError(`--db needs --${flag} N`);
    return n;
  };
  return { kind: "postgres", path: dbUrlFromFlag(values.db, io.env), datasetId: need("dataset-id"), labelsetId: need("labelset-id"), labelsetVersion: need("labelset-version"), mediaRoot: resolve(io.cwd, values["media-root"] ?? ".") };
}

/** Formats seconds as `1m05s`. */
export function formatSeconds(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${s.toFixed(1)}s`;
}

/** Prints a per-label metrics table. */
export function printMetricsTable(io: CliIo, title: string, metrics: MultilabelMetrics): void {
  const f = (x: number | null): string => (x === null ? "   -  " : x.toFixed(3).padStart(6));
  println(io.stdout, `${title}: micro-F1 ${metrics.f1.toFixed(3)}, macro-F1 ${metrics.macro_f1.toFixed(3)}, mAP ${metrics.map.toFixed(3)}, accuracy ${metrics.accuracy.toFixed(3)}`);
  println(io.stdout, `  ${"label".padEnd(18)} thresh   prec    rec     f1     AP  support`);
  for (const l of metrics.per_label)
    println(io.stdout, `  ${l.label.padEnd(18)} ${l.threshold.toFixed(3)} ${f(l.precision)} ${f(l.recall)} ${f(l.f1)} ${f(l.ap)} ${String(l.support ?? "-").padStart(7)}`);
}

const num = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
};

/** The train command. */
export const trainCommand: CliCommand = {
  name: "train",
  summary: "train a multilabel head on cached backbone embeddings (lx-ai's recipe)",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string" },
        ...SOURCE_OPTIONS,
        "treat-unlabeled-as-negative": { type: "boolean" },
        ...DB_OPTIONS,
        "dataset-id": { type: "string" },
        "labelset-id": { type: "string" },
        "labelset-version": { type: "string" },
        backbone: { type: "string" },
        "backbone-output": { type: "string" },
        head: { type: "string" },
        "hidden-units": { type: "string" },
        loss: { type: "string" },
        alpha: { type: "string" },
        gamma: { type: "string" },
        epochs: { type: "string" },
        "batch-size": { type: "string" },
        "lr-head": { type: "string" },
        "weight-decay": { type: "string" },
        "warmup-epochs": { type: "string" },
        "min-lr": { type: "string" },
        patience: { type: "string" },
        monitor: { type: "string" },
        "val-split": { type: "string" },
        "test-split": { type: "string" },
        "split-mode": { type: "string" },
        seed: { type: "string" },
        "tf-backend": { type: "string" },
        unfreeze: { type: "boolean" },
        "unfreeze-layers": { type: "string" },
        "finetune-epochs": { type: "string" },
        "lr-backbone": { type: "string" },
        "runs-dir": { type: "string" },
        "run-id": { type: "string" },
        "cache-dir": { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ""}"`);
    const base: TrainConfig | undefined = values.config === undefined ? undefined : await readTrainConfig(resolve(io.cwd, values.config));
    const source = dbSourceFromFlags(values, io) ?? sourceFromFlags(values, io) ?? base?.source;
    if (source === undefined) throw new UsageError("give --config or a data source (--legacy, --frame-table, --coco or --db)");
    const flags: Record<string, unknown> = {
      num_epochs: num("epochs", values.epochs),
      batch_size: num("batch-size", values["batch-size"]),
      lr_head: num("lr-head", values["lr-head"]),
      weight_decay: num("weight-decay", values["weight-decay"]),
      warmup_epochs: num("warmup-epochs", values["warmup-epochs"]),
      min_lr: num("min-lr", values["min-lr"]),
      patience: num("patience", values.patience),
      val_split: num("val-split", values["val-split"]),
      test_split: num("test-split", values["test-split"]),
      seed: num("seed", values.seed),
      hidden_units: num("hidden-units", values["hidden-units"]),
      alpha_focal: num("alpha", values.alpha),
      gamma_focal: num("gamma", values.gamma),
      head: values.head,
      loss: values.loss,
      monitor: values.monitor,
      split_mode: values["split-mode"],
      tf_backend: values["tf-backend"],
      run_id: values["run-id"],
      treat_unlabeled_as_negative: values["treat-unlabeled-as-negative"],
      freeze_backbone: values.unfreeze === true ? false : undefined,
      unfreeze_layers: num("unfreeze-layers", values["unfreeze-layers"]),
      finetune_epochs: num("finetune-epochs", values["finetune-epochs"]),
      lr_backbone: num("lr-backbone", values["lr-backbone"]),
    };
    const merged: Record<string, unknown> = { ...(base ?? {}), source };
    for (const [k, v] of Object.entries(flags)) if (v !== undefined) merged[k] = v;
    if (values.backbone !== undefined)
      merged["backbone"] = values.backbone === "builtin" ? { kind: "builtin" } : { kind: "onnx", path: resolve(io.cwd, values.backbone), ...(values["backbone-output"] === undefined ? {} : { output: values["backbone-output"] }) };
    if (values["runs-dir"] !== undefined) merged["runsDir"] = resolve(io.cwd, values["runs-dir"]);
    if (values["cache-dir"] !== undefined) merged["cacheDir"] = resolve(io.cwd, values["cache-dir"]);
    const config = resolveConfigPaths(parseTrainConfig(merged, values.config ?? "command line"), io.cwd);
    const quiet = values.quiet === true || values.json === true;
    const bar = createProgressBar(io, { quiet });
    let result;
    try {
      result = await train(config, {
        signal: io.signal,
        onProgress: bar.listener,
        onEpoch: (e) => {
          bar.done();
          if (!quiet)
            io.stderr.write(
              `epoch ${e.epoch}/${e.epochs}  lr ${e.lr.toExponential(2)}  train ${e.train_loss.toFixed(4)}  val ${e.val_loss.toFixed(4)}  val mAP ${e.val_map.toFixed(3)}  ${formatSeconds(e.seconds)}  ETA ${formatSeconds(e.eta_seconds)}\n`,
            );
        },
      });
    } finally {
      bar.done();
    }
    const { meta, runDir } = result;
    if (values.json === true) {
      println(io.stdout, JSON.stringify(meta, null, 2));
      return 0;
    }
    const d = meta.data;
    println(io.stdout, `backend: tfjs ${meta.backend.tfjs} (${meta.backend.package}); backbone ${meta.backend.backbone}`);
    println(io.stdout, `data: ${String(d["images"])} images (${String(d["dropped_zero_positive"])} dropped without a positive label), embeddings ${String(d["embedded"])} computed / ${String(d["cache_hits"])} cached`);
    if (meta.test_metrics_final !== undefined) printMetricsTable(io, "test @0.5", meta.test_metrics_final);
    if (meta.test_metrics_tuned !== undefined) printMetricsTable(io, "test @tuned thresholds", meta.test_metrics_tuned);
    println(io.stdout, `run: ${runDir}${meta.onnx === undefined ? "" : ` (deployable: ${meta.onnx.file})`}`);
    return 0;
  },
};
