/**
 * One deployable ONNX file per run: the backbone graph cut at its feature node, then the head's
 * dense layers (MatMul + Add, ReLU for an MLP) and an optional sigmoid, appended as ONNX nodes
 * with onnx-proto. The run's labels, thresholds and preprocessing ride along in
 * `metadata_props`, so the file alone is enough to score images (ONNX IR spec:
 * https://github.com/onnx/onnx/blob/main/docs/IR.md).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { writeFileAtomic } from "../util/atomic-write.js";
import { TrainsetError } from "../util/errors.js";
import type { HeadWeights } from "./head-spec.js";
import type { Preprocessing } from "./preprocess.js";

import type { onnx as OnnxTypes } from "onnx-proto";

type OnnxNs = typeof OnnxTypes;
type ModelProto = OnnxTypes.ModelProto;
type INodeProto = OnnxTypes.INodeProto;
type GraphProto = OnnxTypes.GraphProto;
type ITensorProto = OnnxTypes.ITensorProto;
type IDimension = OnnxTypes.TensorShapeProto.IDimension;

// onnx-proto is CommonJS (`module.exports = $root`): ESM named imports cannot see `onnx`.
const onnx: OnnxNs = (createRequire(import.meta.url)("onnx-proto") as { onnx: OnnxNs }).onnx;

/** What the appended head outputs. */
export type OnnxHeadOutput = "sigmoid" | "logits";

/** Options for {@link buildRunOnnx}. */
export interface RunOnnxOptions {
  /** Backbone output to cut at (default the graph's first output). */
  cutAt?: string;
  /** `sigmoid` (probabilities; default) or `logits` (raw scores, e.g. a preference model). */
  output?: OnnxHeadOutput;
  /** Name of the model's output tensor (default `probabilities` or `scores`). */
  outputName?: string;
  /** Key/value pairs stored in `metadata_props` (values are strings; JSON for structures). */
  metadata?: Record<string, string>;
}

/** Metadata keys trainset writes into model.onnx. */
export interface RunOnnxMetadata {
  task: string;
  labels: string[];
  thresholds?: number[];
  preprocessing: Preprocessing;
}

const FLOAT = 1;

function floatTensor(name: string, dims: number[], values: Float32Array): ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
}

/** Nodes that `target` depends on, in their original (topological) order. */
function pruneTo(nodes: readonly INodeProto[], target: string): INodeProto[] {
  const needed = new Set([target]);
  const keep = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (node === undefined || !(node.output ?? []).some((o) => needed.has(o))) continue;
    keep[i] = true;
    for (const input of node.input ?? []) if (input !== "") needed.add(input);
    // Subgraphs (If/Loop) may read outer names: keep everything they name as well.
    for (const attr of node.attribute ?? []) for (const g of [attr.g, ...(attr.graphs ?? [])]) for (const n of g?.node ?? []) for (const input of n.input ?? []) needed.add(input);
  }
  return nodes.filter((_, i) => keep[i] === true);
}

/**
 * Returns the bytes of `backbone` cut at its feature node with `head` appended.
 * @example const bytes = buildRunOnnx(await readFile("resnet50.onnx"), head.getWeights(), { cutAt: "features" });
 */
export function buildRunOnnx(backbone: Uint8Array, head: HeadWeights, options: RunOnnxOptions = {}): Uint8Array {
  const model: ModelProto = onnx.ModelProto.decode(backbone);
  // Decoded messages carry every repeated field as an array (protobufjs defaults).
  const graph = model.graph as GraphProto | null | undefined;
  if (graph === null || graph === undefined) throw new TrainsetError("VALIDATION_ERROR", "Cannot export ONNX: the backbone has no graph");
  const cut = options.cutAt ?? graph.output[0]?.name ?? "";
  const produced = new Set(graph.node.flatMap((n) => n.output ?? []));
  if (!produced.has(cut) && !graph.input.some((i) => i.name === cut))
    throw new TrainsetError("VALIDATION_ERROR", `Cannot export ONNX: the backbone has no tensor "${cut}" to cut at`, { field: "output" });
  const nodes = pruneTo(graph.node, cut);
  const used = new Set(nodes.flatMap((n) => [...(n.input ?? []), ...(n.attribute ?? []).flatMap((a) => [a.g, ...(a.graphs ?? [])].flatMap((g) => (g?.node ?? []).flatMap((x) => x.input ?? [])))]));
  const p = "trainset_head/";
  const tensors = new Map(head.tensors.map((t) => [t.name, t]));
  const get = (name: string): { shape: number[]; values: Float32Array } => {
    const t = tensors.get(name);
    if (t === undefined) throw new TrainsetError("VALIDATION_ERROR", `Cannot export ONNX: the head has no tensor "${name}"`);
    return t;
  };
  const init: ITensorProto[] = [];
  const extra: INodeProto[] = [{ opType: "Flatten", input: [cut], output: [`${p}features`], name: `${p}flatten`, attribute: [{ name: "axis", type: 2, i: 1 }] }];
  let x = `${p}features`;
  const layers = head.spec.kind === "mlp" ? ["1", "2"] : ["1"];
  layers.forEach((k, i) => {
    const w = get(`w${k}`);
    const b = get(`b${k}`);
    init.push(floatTensor(`${p}w${k}`, w.shape, w.values), floatTensor(`${p}b${k}`, b.shape, b.values));
    extra.push({ opType: "MatMul", input: [x, `${p}w${k}`], output: [`${p}mm${k}`], name: `${p}matmul${k}` });
    extra.push({ opType: "Add", input: [`${p}mm${k}`, `${p}b${k}`], output: [`${p}z${k}`], name: `${p}add${k}` });
    x = `${p}z${k}`;
    if (i < layers.length - 1) {
      extra.push({ opType: "Relu", input: [x], output: [`${p}h${k}`], name: `${p}relu${k}` });
      x = `${p}h${k}`;
    }
  });
  const kind = options.output ?? "sigmoid";
  const outName = options.outputName ?? (kind === "sigmoid" ? "probabilities" : "scores");
  extra.push(kind === "sigmoid" ? { opType: "Sigmoid", input: [x], output: [outName], name: `${p}sigmoid` } : { opType: "Identity", input: [x], output: [outName], name: `${p}output` });
  const batchDim = graph.input[0]?.type?.tensorType?.shape?.dim?.[0];
  // Keep the backbone's batch dimension (symbolic or fixed) for the output.
  const fixed: unknown = batchDim?.dimValue; // number or a protobufjs Long
  const batch: IDimension = typeof batchDim?.dimParam === "string" && batchDim.dimParam !== "" ? { dimParam: batchDim.dimParam } : fixed !== undefined && fixed !== null && Number(fixed) > 0 ? { dimValue: Number(fixed) } : { dimParam: "N" };
  graph.node = [...nodes, ...extra].map((n) => onnx.NodeProto.create(n));
  graph.initializer = [...graph.initializer.filter((t) => used.has(t.name ?? "")), ...init.map((t) => onnx.TensorProto.create(t))];
  graph.output = [onnx.ValueInfoProto.create({ name: outName, type: { tensorType: { elemType: FLOAT, shape: { dim: [batch, { dimValue: head.spec.outputDim }] } } } })];
  graph.valueInfo = graph.valueInfo.filter((v) => used.has(v.name ?? "") || v.name === cut);
  const keep = model.metadataProps.filter((m) => !(m.key ?? "").startsWith("trainset."));
  model.metadataProps = [...keep, ...Object.entries(options.metadata ?? {}).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value }))];
  model.producerName = "trainset";
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Writes `<runDir>/model.onnx` atomically from the backbone file and the head weights.
 * @example await writeRunOnnx("runs/r1/model.onnx", "resnet50.onnx", weights, { cutAt: "features", metadata });
 */
export async function writeRunOnnx(target: string, backbonePath: string, head: HeadWeights, options: RunOnnxOptions = {}): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(backbonePath);
  } catch (error) {
    throw new TrainsetError("IO_ERROR", `Cannot export ONNX: backbone "${backbonePath}" is unreadable (${error instanceof Error ? error.message : String(error)})`, { file: backbonePath, cause: error });
  }
  await writeFileAtomic(target, buildRunOnnx(bytes, head, options));
}

/** `metadata_props` of a run's model.onnx, from {@link RunOnnxMetadata}. */
export function runOnnxMetadata(meta: RunOnnxMetadata): Record<string, string> {
  return {
    "trainset.task": meta.task,
    "trainset.labels": JSON.stringify(meta.labels),
    ...(meta.thresholds === undefined ? {} : { "trainset.thresholds": JSON.stringify(meta.thresholds) }),
    "trainset.preprocessing": JSON.stringify(meta.preprocessing),
  };
}

/**
 * Reads trainset's metadata back from an ONNX file written by {@link writeRunOnnx}.
 * @example const { labels, preprocessing } = await readRunOnnxMetadata("runs/r1/model.onnx");
 */
export async function readRunOnnxMetadata(path: string): Promise<RunOnnxMetadata> {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(await readFile(path));
  } catch (error) {
    throw new TrainsetError("IO_ERROR", `Cannot read ONNX model "${path}": ${error instanceof Error ? error.message : String(error)}`, { file: path, cause: error });
  }
  const props = new Map(model.metadataProps.map((m) => [m.key ?? "", m.value ?? ""]));
  const json = (key: string): unknown => {
    const v = props.get(key);
    if (v === undefined) throw new TrainsetError("VALIDATION_ERROR", `Cannot use ONNX model "${path}": it has no "${key}" metadata (was it written by trainset?)`, { file: path, field: key });
    return JSON.parse(v) as unknown;
  };
  const thresholds = props.has("trainset.thresholds") ? (json("trainset.thresholds") as number[]) : undefined;
  return {
    task: props.get("trainset.task") ?? "multilabel",
    labels: json("trainset.labels") as string[],
    ...(thresholds === undefined ? {} : { thresholds }),
    preprocessing: json("trainset.preprocessing") as Preprocessing,
  };
}

/**
 * The head alone as ONNX (input `embedding`, N×dim): for runs whose backbone is not an ONNX file
 * (the built-in tfjs MobileNetV2); feed it the embeddings that backbone produces.
 * @example await writeFile("head.onnx", buildHeadOnlyOnnx(weights));
 */
export function buildHeadOnlyOnnx(head: HeadWeights, options: Omit<RunOnnxOptions, "cutAt"> = {}): Uint8Array {
  const empty = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "trainset_head",
      input: [{ name: "embedding", type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: "N" }, { dimValue: head.spec.inputDim }] } } } }],
    },
  });
  return buildRunOnnx(onnx.ModelProto.encode(empty).finish(), head, { ...options, cutAt: "embedding" });
}
