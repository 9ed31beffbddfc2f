/**
 * The run folder `runs/<run_id>/`: `meta.json` (lx-ai's meta shape plus trainset's fields and a
 * `status`), the same JSON under lx-ai's file name, `history.jsonl`, and the head as
 * `head.json` (shapes) + `head.bin` (little-endian float32). Every file is written atomically.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic-write.js";
import { TrainsetError } from "../util/errors.js";
import type { HeadSpec, HeadWeights } from "./head-spec.js";
import type { MultilabelMetrics } from "./metrics.js";
import type { Labelset } from "./train-data.js";

/** `meta.json` of a run. */
export interface RunMeta {
  run_id: string;
  status: "running" | "completed" | "cancelled";
  config: Record<string, unknown>;
  labelset: Labelset;
  used_label_names: string[];
  used_label_indices_original: number[];
  history: { train_loss: number[]; val_loss: number[]; test_loss: number[]; val_map: number[]; val_macro_f1: number[]; lr: number[] };
  backend: { tfjs: string; package: string; backbone: string };
  data: Record<string, unknown>;
  class_weights: number[];
  epochs_run?: number;
  best_epoch?: number;
  thresholds?: Record<string, number>;
  val_metrics?: MultilabelMetrics;
  test_metrics_final?: MultilabelMetrics;
  test_metrics_tuned?: MultilabelMetrics;
  seconds?: number;
  /** The deployable ONNX file of the run (see run-model-export.ts). */
  onnx?: RunOnnxInfo;
}

/** Which ONNX file a run folder holds. */
export interface RunOnnxInfo {
  /** `model.onnx` (backbone + head + sigmoid) or `head.onnx` (head only, input = embedding). */
  file: string;
  kind: "full" | "head-only";
  input: string;
  output: string;
}

/** lx-ai's file stem: `dataset_{name}_{backbone}_v{version}_multilabel`. */
export function lxAiRunStem(meta: Pick<RunMeta, "labelset" | "backend">): string {
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, "-");
  return `dataset_${clean(meta.labelset.name)}_${clean(meta.backend.backbone.replace(/^.*[/:]/, ""))}_v${meta.labelset.version}_multilabel`;
}

/**
 * Writes the head as `head.json` (shapes, offsets) + `head.bin` (little-endian float32), atomically.
 * @example await writeHeadFiles("runs/r1", head.getWeights());
 */
export async function writeHeadFiles(runDir: string, weights: HeadWeights): Promise<void> {
  const total = weights.tensors.reduce((a, t) => a + t.values.length, 0);
  const buf = new Float32Array(total);
  let offset = 0;
  const layout = weights.tensors.map((t) => {
    buf.set(t.values, offset);
    const entry = { name: t.name, shape: t.shape, offset };
    offset += t.values.length;
    return entry;
  });
  await writeFileAtomic(join(runDir, "head.bin"), new Uint8Array(buf.buffer));
  await writeJsonAtomic(join(runDir, "head.json"), { format: "trainset-head/1", spec: weights.spec, tensors: layout });
}

/**
 * Writes meta (and weights when given) atomically; weights first, so meta never names missing ones.
 * @example await writeRunFiles("runs/r1", meta, head.getWeights());
 */
export async function writeRunFiles(runDir: string, meta: RunMeta, weights?: HeadWeights): Promise<void> {
  if (weights !== undefined) await writeHeadFiles(runDir, weights);
  await writeJsonAtomic(join(runDir, `${lxAiRunStem(meta)}_meta.json`), meta);
  await writeJsonAtomic(join(runDir, "meta.json"), meta);
}

/** A saved run: its meta and head weights. */
export interface SavedRun {
  meta: RunMeta;
  weights: HeadWeights;
}

async function readRunFile(runDir: string, name: string): Promise<Buffer> {
  try {
    return await readFile(join(runDir, name));
  } catch (error) {
    throw new TrainsetError("IO_ERROR", `Cannot read run "${runDir}": ${name} is missing or unreadable`, { file: join(runDir, name), cause: error });
  }
}

/**
 * Reads a completed run folder.
 * @example const { meta, weights } = await readRun("runs/20260101T000000-s42");
 */
export async function readRun(runDir: string): Promise<SavedRun> {
  const read = (name: string): Promise<Buffer> => readRunFile(runDir, name);
  const meta = JSON.parse((await read("meta.json")).toString("utf8")) as RunMeta;
  if (meta.status === "running") throw new TrainsetError("VALIDATION_ERROR", `Cannot read run "${runDir}": it is still running or was interrupted`, { file: join(runDir, "meta.json"), field: "status" });
  return { meta, weights: await readHeadFiles(runDir) };
}

/**
 * Reads `head.json` + `head.bin` of a run folder.
 * @example const weights = await readHeadFiles("runs/r1");
 */
export async function readHeadFiles(runDir: string): Promise<HeadWeights> {
  const read = (name: string): Promise<Buffer> => readRunFile(runDir, name);
  const layout = JSON.parse((await read("head.json")).toString("utf8")) as { spec: HeadSpec; tensors: { name: string; shape: number[]; offset: number }[] };
  const bin = await read("head.bin");
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  return {
    spec: layout.spec,
    tensors: layout.tensors.map((t) => {
      const n = t.shape.reduce((a, b) => a * b, 1);
      return { name: t.name, shape: t.shape, values: all.slice(t.offset, t.offset + n) };
    }),
  };
}
