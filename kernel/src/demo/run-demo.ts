/** `trainset demo`: builds a sample workspace from nothing and runs every capability on it. */
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { discoverDatasets } from "../formats/discover.js";
import { TrainsetError } from "../util/errors.js";
import type { RunControl } from "../util/run-control.js";
import { throwIfAborted } from "../util/run-control.js";
import type { DemoStep } from "./demo-step.js";
import { demoSteps } from "./steps.js";

const MARKER = ".trainset-demo";

/** What the demo made and found. */
export interface DemoResult {
  root: string;
  steps: Array<{ title: string; notes: string[]; seconds: number }>;
  datasets: Array<{ path: string; format: string; errors: number; warnings: number }>;
}

/** Options for {@link runDemo}. */
export interface DemoOptions extends RunControl {
  /** Run only these steps (by title substring); default all. */
  only?: readonly string[];
  /** Called when a step starts, for the CLI to print a heading. */
  onStep?: (title: string, index: number, total: number) => void;
}

async function prepareRoot(root: string): Promise<void> {
  let entries: string[] = [];
  try {
    if (!(await stat(root)).isDirectory()) throw new TrainsetError("CONFLICT", `Cannot build the demo in "${root}": it exists and is not a folder`, { file: root });
    entries = await readdir(root);
  } catch (error) {
    if (error instanceof TrainsetError) throw error;
  }
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new TrainsetError("CONFLICT", `Cannot build the demo in "${root}": the folder is not empty and was not made by trainset demo (choose another --out)`, { file: root });
  }
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  await writeFile(join(root, MARKER), "made by `trainset demo`; safe to delete\n");
}

/**
 * Builds the sample workspace in `outDir` (recreating an earlier demo there, refusing any other
 * non-empty folder), runs each capability, then validates everything it made.
 * @example const result = await runDemo("demo-workspace");
 */
export async function runDemo(outDir: string, options: DemoOptions = {}, steps: readonly DemoStep[] = demoSteps): Promise<DemoResult> {
  const root = resolve(outDir);
  await prepareRoot(root);
  const selected = steps.filter((s) => options.only === undefined || options.only.some((o) => s.title.toLowerCase().includes(o.toLowerCase())));
  const result: DemoResult = { root, steps: [], datasets: [] };
  for (const [i, step] of selected.entries()) {
    throwIfAborted(options.signal, "run the demo");
    options.onStep?.(step.title, i, selected.length);
    const notes: string[] = [];
    const started = performance.now();
    await step.run({ root, note: (line) => notes.push(line), ...(options.signal === undefined ? {} : { signal: options.signal }), ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) });
    result.steps.push({ title: step.title, notes, seconds: (performance.now() - started) / 1000 });
  }
  for (const { path, handler } of await discoverDatasets(root)) {
    const issues = await handler.validate(path, { mode: "collect" });
    const errors = issues.filter((i) => i.severity === "error").length;
    result.datasets.push({ path: path.slice(root.length + 1), format: handler.format, errors, warnings: issues.length - errors });
  }
  return result;
}
