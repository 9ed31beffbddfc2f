import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ModelRegistry } from "../../../kernel/src/models/model-registry.js";
import { validateVersion } from "../../../kernel/src/models/model-validate.js";
import { useTempDir } from "../../support/tmp.js";
import { makeHeadRun } from "../../unit/models/model-fixtures.js";
import { bundleChild } from "./child-bundle.js";

const live = new Set<ChildProcess>();

function startChild(script: string, args: string[]): { child: ChildProcess; ticks: () => number; err: () => string; exited: Promise<number | string> } {
  const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let ticks = 0;
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (ticks += d.toString().split("\n").length - 1));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => {
    live.delete(child);
    resolve(code ?? signal ?? "unknown");
  }));
  return { child, ticks: () => ticks, err: () => err, exited };
}

async function killAll(): Promise<void> {
  await Promise.all([...live].map((c) => new Promise<void>((resolve) => {
    c.once("exit", () => resolve());
    c.kill("SIGKILL");
  })));
}

/** The pseudo-random kill delays are seeded, so a failure can be replayed. */
function delays(n: number, seed: number, maxMs: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return 20 + (s % maxMs);
  });
}

describe("ModelRegistry under kill -9 (real processes)", function () {
  this.timeout(240_000);
  const tmp = useTempDir();
  let script = "";

  before(async () => {
    script = await bundleChild("./registry-child.ts");
  });
  after(async () => {
    await killAll();
    await rm(script, { force: true });
  });
  afterEach(killAll);

  it("leaves the old or the new version active, complete and never mixed, after a SIGKILL at random moments", async () => {
    const root = join(tmp(), "store");
    const sources = join(tmp(), "sources");
    for (let t = 1; t <= 4; t++) await makeHeadRun(join(sources, `s${t}`), { tag: t, test: { mae: t / 10 }, paddingBytes: 256 * 1024 });
    const reg = await ModelRegistry.open(root, { lockStaleMs: 2000 });
    await reg.addVersion("m", { from: await makeHeadRun(join(tmp(), "factory"), { tag: 99 }), version: "default" });
    let observedSwaps = 0;
    for (const [i, delay] of delays(12, 7, 400).entries()) {
      const p = startChild(script, ["loop", root, sources]);
      // Wait for a first swap so the kill lands inside the loop, then at a random moment.
      while (p.ticks() === 0 && p.child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      assert.equal(p.child.exitCode, null, `child ${i} ended early: ${p.err()}`);
      await new Promise((r) => setTimeout(r, delay));
      p.child.kill("SIGKILL");
      await p.exited;
      observedSwaps += p.ticks();
      // The pointer names one complete version whose files are exactly those of one source.
      const active = await reg.getActive("m");
      if (active !== undefined) {
        const dir = reg.versionDir("m", active.version);
        const { version } = await validateVersion(dir);
        const meta = JSON.parse(await readFile(join(dir, "meta.json"), "utf8")) as { config: { tag: number } };
        const pad = await readFile(join(dir, "padding.bin")).catch(() => undefined);
        if (pad !== undefined) assert.ok(pad.every((b) => b === meta.config.tag % 256), `version ${version.version} mixes files of two runs`);
        assert.equal(version.trainingConfig?.tag, meta.config.tag);
      }
      // Every version under its real name is complete (staging never leaks under a real name).
      for (const v of (await readdir(join(root, "models", "m", "versions"))).filter((n) => !n.startsWith("."))) {
        await validateVersion(join(root, "models", "m", "versions", v));
      }
    }
    assert.ok(observedSwaps > 12, `the children swapped ${observedSwaps} times`);
    // After all the kills the registry still works: a new deploy takes over any stale lock.
    const versions = (await reg.list("m")).versions.filter((v) => v.version !== "default");
    const last = versions.at(-1);
    assert.ok(last !== undefined);
    const r = await reg.deploy("m", last.version, { force: true });
    assert.equal((await reg.getActive("m"))?.version, r.version);
    const leftovers = (await readdir(join(root, "models", "m"))).filter((n) => n.endsWith(".tmp"));
    assert.deepEqual(leftovers, [], "temp pointer files are cleaned under the lock");
  });

  it("serialises deploys from two processes: every swap's previous is the swap before it", async () => {
    const root = join(tmp(), "store");
    const reg = await ModelRegistry.open(root);
    await reg.addVersion("m", { from: await makeHeadRun(join(tmp(), "a"), { tag: 1 }) });
    await reg.addVersion("m", { from: await makeHeadRun(join(tmp(), "b"), { tag: 2 }) });
    const n = 25;
    const a = startChild(script, ["deploys", root, String(n), "A"]);
    const b = startChild(script, ["deploys", root, String(n), "B"]);
    assert.equal(await a.exited, 0, a.err());
    assert.equal(await b.exited, 0, b.err());
    const history = await reg.deployHistory("m");
    assert.equal(history.length, 2 * n);
    assert.deepEqual(new Set(history.map((h) => h.user)), new Set(["A", "B"]));
    for (let i = 1; i < history.length; i++) {
      const prev = history[i - 1];
      const cur = history[i];
      const expected = prev?.version === cur?.version ? prev?.previous : prev?.version;
      assert.equal(cur?.previous, expected, `swap ${i} saw a stale active version: two deploys overlapped`);
    }
  });
});
