/** Format detection: which handler understands a file or folder. */
import { open, readdir, stat } from "node:fs/promises";
import { ioError, TrainsetError } from "../util/errors.js";
import type { DatasetFormat, FormatHandler } from "./format-handler.js";
import { cocoHandler } from "./coco-handler.js";
import { runRecordHandler } from "./run-record-handler.js";
import { frameTableHandler } from "./frame-table-handler.js";
import { legacyJsonlHandler } from "./legacy-jsonl-handler.js";
import { pairsHandler } from "./pairs-handler.js";

/** Every format handler, most specific first. */
export const formatHandlers: readonly FormatHandler[] = [
  runRecordHandler,
  cocoHandler,
  frameTableHandler,
  legacyJsonlHandler,
  pairsHandler,
  // (handlers are added one per line above this comment)
];

const HEAD_BYTES = 64 * 1024;

async function readHead(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}

/**
 * Finds the handler for `path`, or the one named by `format`.
 * @example const handler = await detectFormat("export/annotations.csv"); handler.format // "frame-table"
 */
export async function detectFormat(path: string, format?: DatasetFormat): Promise<FormatHandler> {
  if (format !== undefined) {
    const named = formatHandlers.find((h) => h.format === format);
    if (named === undefined) throw new TrainsetError("UNSUPPORTED_FORMAT", `Cannot use format "${format}": known formats are ${formatHandlers.map((h) => h.format).join(", ")}`);
    return named;
  }
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw ioError("read", path, error);
  }
  const evidence = isDirectory
    ? { isDirectory, head: "", entries: await readdir(path).catch((error: unknown) => { throw ioError("list", path, error); }) }
    : { isDirectory, head: await readHead(path).catch((error: unknown) => { throw ioError("read", path, error); }), entries: [] as string[] };
  const handler = formatHandlers.find((h) => h.detect(path, evidence));
  if (handler === undefined) {
    throw new TrainsetError(
      "UNSUPPORTED_FORMAT",
      `Cannot detect the format of "${path}": it is none of ${formatHandlers.map((h) => h.format).join(", ")} (pass --format to choose one)`,
      { file: path },
    );
  }
  return handler;
}
