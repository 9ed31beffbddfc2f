/**
 * Runs the official Jupyter conformance suite (python jupyter_kernel_test) against the trainset
 * kernel, installed into a temp prefix that only JUPYTER_PATH points at.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installKernelSpec } from "../../../kernel/src/jupyter/kernel-spec.js";

const PYTHON = "/usr/bin/python3";

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("Jupyter conformance suite (jupyter_kernel_test)", function () {
  this.timeout(180_000);
  let prefix: string;

  before(async function () {
    if (!existsSync(PYTHON)) this.skip();
    prefix = await mkdtemp(join(tmpdir(), "trainset-conformance-"));
    await installKernelSpec({ kind: "prefix", prefix });
  });

  after(async () => {
    if (prefix !== undefined) await rm(prefix, { recursive: true, force: true });
  });

  it("passes every test of KernelTests that applies to the trainset kernel", async () => {
    const env = { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter"), JUPYTER_DATA_DIR: join(prefix, "data"), JUPYTER_RUNTIME_DIR: join(prefix, "runtime"), PYTHONDONTWRITEBYTECODE: "1" };
    const { code, output } = await run(PYTHON, ["-m", "unittest", "-v", "test_trainset_kernel"], { cwd: join(import.meta.dirname, "conformance"), env, timeoutMs: 170_000 });
    assert.equal(code, 0, output);
    assert.match(output, /\nOK \(skipped=1\)/, output);
    // The only skip is the pager test: this kernel has no pager payloads.
    assert.match(output, /test_pager .* skipped/, output);
    for (const name of ["test_kernel_info", "test_execute_stdout", "test_execute_stderr", "test_execute_result", "test_display_data", "test_error", "test_completion", "test_inspect", "test_is_complete", "test_history", "test_clear_output"]) {
      assert.match(output, new RegExp(`${name} .* ok`), `${name} did not pass:\n${output}`);
    }
  });
});
