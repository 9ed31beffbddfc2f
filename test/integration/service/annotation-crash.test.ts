import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { getAnnotations, storeAnnotations } from "../../../kernel/src/service/annotation-store.js";
import { storePaths } from "../../../kernel/src/service/store-layout.js";
import { useTempDir } from "../../support/tmp.js";
import { bundleChild } from "../models/child-bundle.js";

describe("annotation store under kill -9 (real processes)", function () {
  this.timeout(240_000);
  const tmp = useTempDir();
  let script = "";
  let child: ChildProcess | undefined;

  before(async () => {
    script = await bundleChild("../service/annotation-child.ts");
  });
  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const c = child;
      await new Promise<void>((resolve) => {
        c.once("exit", () => resolve());
        c.kill("SIGKILL");
      });
    }
    child = undefined;
  });
  after(async () => {
    await rm(script, { force: true });
  });

  it("never leaves a torn line that is not repaired and reported on the next append", async () => {
    const root = tmp();
    const file = storePaths(root).annotationFile("crash-user");
    let seed = 11;
    let repairs = 0;
    let partials = 0;
    let batchBase = 0;
    for (let i = 0; i < 10; i++) {
      // Every other child writes 4 MB batches, so some kills land inside a write() and tear it.
      const c = spawn(process.execPath, [script, root, String(batchBase), "Infinity", "crash-user", i % 2 === 0 ? "2000" : "100000"], { stdio: ["ignore", "pipe", "pipe"] });
      child = c;
      let ticks = 0;
      let err = "";
      c.stdout?.on("data", (d: Buffer) => (ticks += d.toString().split("\n").length - 1));
      c.stderr?.on("data", (d: Buffer) => (err += d.toString()));
      const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
      while (ticks === 0 && c.exitCode === null) await new Promise((r) => setTimeout(r, 10));
      assert.equal(c.exitCode, null, err);
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      await new Promise((r) => setTimeout(r, seed % 150));
      c.kill("SIGKILL");
      await exited;
      batchBase += 10_000;
      // Reading never fails; at most the last line is torn, and it is reported.
      const read = await getAnnotations(root, "crash-user");
      assert.ok(read.issues.every((x) => x.rule === "torn-line" || x.rule === "partial-batch"), JSON.stringify(read.issues));
      assert.ok(read.issues.length <= 2);
      const r = await storeAnnotations(root, "crash-user", [{ framePath: `after-${i}.jpg`, rating: 0.5 }]);
      if (read.issues.some((x) => x.rule === "torn-line")) {
        assert.equal(r.repair?.kind, "torn-line", "a torn tail is repaired and reported on the next append");
        repairs++;
      }
      if (read.issues.some((x) => x.rule === "partial-batch")) {
        assert.ok(r.partialBatch !== undefined, "a partial batch is removed and reported on the next append");
        partials++;
      }
      // After the append every line is complete JSON and the appended record is last.
      const lines = (await readFile(file, "utf8")).split("\n");
      assert.equal(lines.at(-1), "");
      for (const line of lines.slice(0, -1)) JSON.parse(line);
      const after = await getAnnotations(root, "crash-user");
      assert.deepEqual(after.issues, []);
      assert.equal(after.annotations.at(-1)?.framePath, `after-${i}.jpg`);
    }
    // Every batch is whole: the lines of one cut short by a kill were removed before the next append.
    const { annotations } = await getAnnotations(root, "crash-user");
    const counts = new Map<number, number>();
    for (const a of annotations) {
      const b = a.metadata?.batch;
      if (typeof b === "number") counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    const incomplete = [...counts.entries()].filter(([, n]) => n !== 40);
    assert.deepEqual(incomplete, [], "a batch cut short by a kill is removed whole");
    assert.ok(annotations.length > 10 * 40, `the children stored ${annotations.length} annotations`);
    process.stdout.write(`      (${repairs} torn tails repaired, ${partials} partial batches removed over 10 kills)\n`);
  });

  it("keeps every line whole when two processes store into the same user's file at once", async () => {
    const root = tmp();
    const run = (start: number): Promise<number | null> => {
      const c = spawn(process.execPath, [script, root, String(start), "15", "shared"], { stdio: "ignore" });
      return new Promise((resolve) => c.once("exit", (code) => resolve(code)));
    };
    assert.deepEqual(await Promise.all([run(0), run(1000)]), [0, 0]);
    const { annotations, issues } = await getAnnotations(root, "shared");
    assert.deepEqual(issues, []);
    assert.equal(annotations.length, 2 * 15 * 40);
  });
});
