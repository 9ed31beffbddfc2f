/** A smoke inference of an ONNX model with onnxruntime-node on one synthetic input. */
import { errorMessage } from "../util/errors.js";

interface OrtValueMeta {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

interface OrtModule {
  InferenceSession: { create(path: string): Promise<OrtSession> };
  Tensor: new (type: string, data: Float32Array | BigInt64Array | Int32Array, dims: readonly number[]) => unknown;
}

interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata?: readonly OrtValueMeta[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { dims: readonly number[]; data: ArrayLike<number | bigint> }>>;
  release?(): Promise<void>;
}

function dimsOf(meta: OrtValueMeta | undefined): number[] {
  // Symbolic or unknown dimensions (batch, height…) become 1, except spatial ones which need a size.
  const shape = meta?.shape ?? [1];
  return shape.map((d, i) => (typeof d === "number" && d > 0 ? d : i >= 2 && shape.length === 4 ? 224 : 1));
}

/**
 * Loads `path` and runs it once; throws when it fails or an output is not finite.
 * @example await smokeOnnx("model.onnx") // "model.onnx ran: input 1x3x224x224 -> output 1x512"
 */
export async function smokeOnnx(path: string): Promise<string> {
  const ort = (await import("onnxruntime-node")) as unknown as OrtModule;
  const session = await ort.InferenceSession.create(path);
  try {
    const feeds: Record<string, unknown> = {};
    const described: string[] = [];
    session.inputNames.forEach((name, i) => {
      const meta = session.inputMetadata?.[i];
      const dims = dimsOf(meta);
      const n = dims.reduce((a, b) => a * b, 1);
      const type = meta?.type ?? "float32";
      if (type === "int64") feeds[name] = new ort.Tensor("int64", new BigInt64Array(n), dims);
      else if (type === "int32") feeds[name] = new ort.Tensor("int32", new Int32Array(n), dims);
      else feeds[name] = new ort.Tensor("float32", Float32Array.from({ length: n }, (_, k) => Math.sin(k + 1) * 0.5), dims);
      described.push(`${name} ${dims.join("x")}`);
    });
    const out = await session.run(feeds);
    const outs: string[] = [];
    for (const [name, t] of Object.entries(out)) {
      for (let k = 0; k < t.data.length; k++) {
        const v = t.data[k];
        if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`output ${name} has a non-finite value`);
      }
      outs.push(`${name} ${t.dims.join("x")}`);
    }
    return `ran: input ${described.join(", ")} -> output ${outs.join(", ")}`;
  } catch (error) {
    throw new Error(errorMessage(error), { cause: error });
  } finally {
    await session.release?.();
  }
}
