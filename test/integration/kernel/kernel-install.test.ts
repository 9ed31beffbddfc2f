/** `trainset kernel install|uninstall` against temp prefixes (never the user's real Jupyter folders). */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { runCli as runCliIn, type CliRun } from "../../support/cli.js";
import { useTempDir } from "../../support/tmp.js";

/** Runs the CLI with HOME pointed at the temp folder, so nothing touches the real Jupyter folders. */
function runCli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCliIn(argv, { cwd, env: { HOME: cwd, ...env } });
}

describe("trainset kernel install / uninstall", () => {
  const tmp = useTempDir("trainset-kernelspec-");

  it("writes kernel.json under PREFIX/share/jupyter/kernels/trainset with absolute paths", async () => {
    const result = await runCli(["kernel", "install", "--prefix", "env"], tmp());
    assert.equal(result.code, 0, result.stderr);
    const file = join(tmp(), "env", "share", "jupyter", "kernels", "trainset", "kernel.json");
    const spec = JSON.parse(await readFile(file, "utf8")) as { argv: string[]; display_name: string; language: string; interrupt_mode: string };
    assert.equal(spec.display_name, "TypeScript (trainset)");
    assert.equal(spec.language, "typescript");
    assert.equal(spec.interrupt_mode, "signal");
    assert.ok(isAbsolute(spec.argv[0] ?? ""), "node is an absolute path");
    assert.ok(spec.argv.slice(1).some((arg) => isAbsolute(arg) && /kernel-main\.ts$|trainset-kernel\.js$/.test(arg)), "the entry is an absolute path");
    assert.deepEqual(spec.argv.slice(-2), ["--connection-file", "{connection_file}"]);
  });

  it("installs for the user into JUPYTER_DATA_DIR by default and uninstalls again", async () => {
    const dataDir = join(tmp(), "data");
    const installed = await runCli(["kernel", "install", "--json"], tmp(), { JUPYTER_DATA_DIR: dataDir });
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal((JSON.parse(installed.stdout) as { dir: string }).dir, join(dataDir, "kernels", "trainset"));
    assert.ok(existsSync(join(dataDir, "kernels", "trainset", "kernel.json")));
    const removed = await runCli(["kernel", "uninstall"], tmp(), { JUPYTER_DATA_DIR: dataDir });
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(!existsSync(join(dataDir, "kernels", "trainset")));
  });

  it("fails with exit 1 when uninstalling a spec that is not there", async () => {
    const result = await runCli(["kernel", "uninstall", "--prefix", "nowhere"], tmp());
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cannot uninstall the Jupyter kernel spec "trainset": it is not installed in ".*nowhere/);
  });

  it("refuses --user together with --prefix as a usage error", async () => {
    const result = await runCli(["kernel", "install", "--user", "--prefix", "x"], tmp());
    assert.equal(result.code, 2);
  });
});
