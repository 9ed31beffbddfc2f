/**
 * Child process for the registry crash and concurrency tests (bundled with esbuild so it starts
 * fast). Modes:
 *   loop ROOT SOURCES_DIR  add versions and deploy/restore/revert forever, printing "tick" per swap
 *   deploys ROOT N NAME    N forced deploys alternating v1/v2, then "done NAME"
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { ModelRegistry } from "../../../kernel/src/models/model-registry.js";

const [mode, root = "", arg = "", name = "child"] = process.argv.slice(2);

async function loop(): Promise<void> {
  const reg = await ModelRegistry.open(root, { lockStaleMs: 2000 });
  const sources = (await readdir(arg)).sort();
  for (let i = 0; ; i++) {
    const versions = (await reg.list("m")).versions.map((v) => v.version).filter((v) => v !== "default");
    if (i % 3 === 0) {
      const src = sources[i % sources.length] ?? "";
      await reg.addVersion("m", { from: join(arg, src), notes: src });
    } else if (i % 7 === 0) {
      await reg.revertToDefault("m", { noAudit: i % 2 === 0 });
    } else {
      const v = versions[(i * 5) % Math.max(1, versions.length)];
      if (v !== undefined) await reg.deploy("m", v, { force: true, noAudit: i % 2 === 0 });
    }
    process.stdout.write("tick\n");
  }
}

async function deploys(): Promise<void> {
  const reg = await ModelRegistry.open(root, { lockStaleMs: 2000 });
  const n = Number(arg);
  for (let i = 0; i < n; i++) await reg.deploy("m", i % 2 === 0 ? "v1" : "v2", { force: true, user: name, skipHashes: true, noAudit: true });
  process.stdout.write(`done ${name}\n`);
}

(mode === "loop" ? loop() : deploys()).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
