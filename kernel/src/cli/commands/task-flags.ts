/** Flags shared by `train-importance` and `train-preference`: backbone, run folder, schedule. */
import { resolve } from "node:path";
import type { BackboneSpec, TfBackendChoice } from "../../train/index.js";
import { numberFlag } from "../args.js";
import { UsageError, type CliIo } from "../command.js";

/** parseArgs options of the shared flags. */
export const TASK_OPTIONS = {
  backbone: { type: "string" },
  "backbone-output": { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  lr: { type: "string" },
  "weight-decay": { type: "string" },
  "val-split": { type: "string" },
  "test-split": { type: "string" },
  seed: { type: "string" },
  "tf-backend": { type: "string" },
  "runs-dir": { type: "string" },
  "run-id": { type: "string" },
  "cache-dir": { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
} as const;

/** Usage lines of the shared flags. */
export const TASK_USAGE = `  --backbone B           builtin (default) or a .onnx file   --backbone-output N  ONNX node to cut at
  --epochs N  --batch-size N  --lr X  --weight-decay X  --val-split X  --test-split X  --seed N (42)
  --tf-backend auto|tensorflow-gpu|tensorflow|wasm|cpu
  --runs-dir DIR (runs)  --run-id ID  --cache-dir DIR (.trainset/embeddings)  --json  --quiet`;

type TaskValues = { [K in keyof typeof TASK_OPTIONS]?: (typeof TASK_OPTIONS)[K]["type"] extends "boolean" ? boolean | undefined : string | undefined };

const BACKENDS = ["auto", "tensorflow-gpu", "tensorflow", "wasm", "cpu"];

/** The config fields common to both tasks, from flags (undefined ones left out). */
export function taskConfigFromFlags(values: TaskValues, io: CliIo): { backbone: BackboneSpec; runsDir: string; cacheDir: string } & Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string, v: unknown): void => {
    if (v !== undefined) out[key] = v;
  };
  put("numEpochs", numberFlag("epochs", values.epochs, { min: 1, integer: true }));
  put("batchSize", numberFlag("batch-size", values["batch-size"], { min: 1, integer: true }));
  put("lr", numberFlag("lr", values.lr, { min: 0 }));
  put("weightDecay", numberFlag("weight-decay", values["weight-decay"], { min: 0 }));
  put("valSplit", numberFlag("val-split", values["val-split"], { min: 0, max: 1 }));
  put("testSplit", numberFlag("test-split", values["test-split"], { min: 0, max: 1 }));
  put("seed", numberFlag("seed", values.seed, { min: 0, integer: true }));
  put("runId", values["run-id"]);
  const tfBackend = values["tf-backend"];
  if (tfBackend !== undefined && !BACKENDS.includes(tfBackend)) throw new UsageError(`--tf-backend must be one of ${BACKENDS.join(", ")}, got "${tfBackend}"`);
  put("tfBackend", tfBackend as TfBackendChoice | undefined);
  const b = values.backbone ?? "builtin";
  const backbone: BackboneSpec = b === "builtin" ? { kind: "builtin" } : { kind: "onnx", path: resolve(io.cwd, b), ...(values["backbone-output"] === undefined ? {} : { output: values["backbone-output"] }) };
  return { ...out, backbone, runsDir: resolve(io.cwd, values["runs-dir"] ?? "runs"), cacheDir: resolve(io.cwd, values["cache-dir"] ?? ".trainset/embeddings") };
}
