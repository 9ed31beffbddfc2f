/**
 * The e2e sample workspace: what `trainset demo` generates (every format, a finished training run),
 * plus a broken legacy JSONL for the Problems panel, a notebook for the kernel checks and settings
 * pointing the extension at this checkout's CLI.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The repository root (two levels above test/e2e). */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The CLI script of this checkout. */
export const CLI = join(REPO, "kernel", "bin", "trainset.js");

/** The line of the broken file that the Problems panel must show. */
export const BROKEN_LINE = 2;

/** Cells of the e2e notebook: print, chart, a long cell to interrupt, a check of state. */
export const NOTEBOOK_CELLS = [
  'let counter = 41;\nconsole.log("hello from trainset");',
  'import { display } from "trainset";\ndisplay.vegaLite({ title: "e2e chart", data: { values: [{ k: "a", v: 3 }, { k: "b", v: 5 }] }, mark: "bar", encoding: { x: { field: "k", type: "nominal" }, y: { field: "v", type: "quantitative" } } });',
  'counter += 1;\nconsole.log("long cell started");\nawait new Promise((resolve) => setTimeout(resolve, 600_000));',
  'console.log(`counter is ${counter}`);',
];

function notebookJson(): string {
  return JSON.stringify({
    cells: NOTEBOOK_CELLS.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { display_name: "TypeScript (trainset)", language: "typescript", name: "trainset" }, language_info: { name: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  }, null, 1);
}

/** Builds the workspace in `dir`; returns the stats the CLI reports, for comparing with the tree. */
export async function makeSampleWorkspace(dir: string): Promise<{ coco: { images: number; records: number } }> {
  await run(process.execPath, [CLI, "demo", "--out", dir], { maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
  const legacy = (await readFile(join(dir, "legacy", "legacy_img_dicts.jsonl"), "utf8")).split("\n")[0] ?? "";
  await mkdir(join(dir, "broken"), { recursive: true });
  await writeFile(join(dir, "broken", "broken_img_dicts.jsonl"), `${legacy}\n{"old_id": 2, "filename": broken\n`);
  await writeFile(join(dir, "e2e.ipynb"), notebookJson());
  await mkdir(join(dir, ".vscode"), { recursive: true });
  await writeFile(join(dir, ".vscode", "settings.json"), JSON.stringify({ "trainset.cliPath": CLI, "trainset.nodePath": process.execPath }, null, 2));
  const { stdout } = await run(process.execPath, [CLI, "stats", "--json", join(dir, "coco", "dataset.json")]);
  const stats = (JSON.parse(stdout) as { datasets: Array<{ images: number; records: number }> }).datasets[0];
  if (stats === undefined) throw new Error("Cannot read the demo's COCO stats");
  return { coco: { images: stats.images, records: stats.records } };
}
