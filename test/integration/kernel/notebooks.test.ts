/**
 * Executes every notebook in notebooks/ headless with jupyter-execute (nbclient) on the trainset
 * kernel, installed into a temp prefix that only JUPYTER_PATH points at. Any cell error fails.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { installKernelSpec } from "../../../kernel/src/jupyter/kernel-spec.js";

const JUPYTER_EXECUTE = "/usr/bin/jupyter-execute";
const NOTEBOOKS = resolve(import.meta.dirname, "../../../notebooks");

function execute(notebook: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(JUPYTER_EXECUTE, ["--kernel_name=trainset", "--timeout=120", notebook], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

describe("notebooks/*.ipynb on the trainset kernel", function () {
  this.timeout(180_000);
  let prefix: string;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    if (!existsSync(JUPYTER_EXECUTE)) this.skip();
    prefix = await mkdtemp(join(tmpdir(), "trainset-notebooks-"));
    await installKernelSpec({ kind: "prefix", prefix });
    env = { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter"), JUPYTER_DATA_DIR: join(prefix, "data"), JUPYTER_RUNTIME_DIR: join(prefix, "runtime") };
  });

  after(async () => {
    if (prefix !== undefined) await rm(prefix, { recursive: true, force: true });
  });

  const notebooks = readdirSync(NOTEBOOKS).filter((name) => name.endsWith(".ipynb")).sort();

  it("has at least the quickstart notebook", () => {
    assert.ok(notebooks.includes("01-quickstart.ipynb"));
  });

  for (const name of notebooks) {
    it(`runs ${name} without any cell error`, async () => {
      const { code, output } = await execute(join(NOTEBOOKS, name), env);
      assert.equal(code, 0, output);
      assert.doesNotMatch(output, /CellExecutionError|Traceback/, output);
    });

    it(`${name} is saved with the outputs of a real run and uses the trainset kernel`, () => {
      const notebook = JSON.parse(readFileSync(join(NOTEBOOKS, name), "utf8")) as { metadata: { kernelspec?: { name?: string } }; cells: Array<{ cell_type: string; execution_count?: number | null; outputs?: Array<{ output_type: string }> }> };
      assert.equal(notebook.metadata.kernelspec?.name, "trainset");
      const code = notebook.cells.filter((cell) => cell.cell_type === "code");
      assert.ok(code.every((cell) => typeof cell.execution_count === "number"), "every code cell was executed");
      assert.ok(code.every((cell) => (cell.outputs ?? []).every((output) => output.output_type !== "error")), "no saved error output");
    });
  }
});
