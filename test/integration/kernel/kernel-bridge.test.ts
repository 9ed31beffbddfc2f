/**
 * The kernel bridge (`trainset kernel bridge`, used by the VS Code extension): a real kernel
 * process behind it, driven through the same requests the extension sends.
 */
import assert from "node:assert/strict";
import type { FromBridge } from "../../../kernel/src/jupyter/bridge-protocol.js";
import { startKernelBridge, type KernelBridge } from "../../../kernel/src/jupyter/kernel-bridge.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("startKernelBridge()", function () {
  this.timeout(180_000);
  let dir = "";
  const events: FromBridge[] = [];
  let bridge: KernelBridge | undefined;

  const waitFor = async (predicate: (e: FromBridge) => boolean, what: string, timeoutMs = 120_000): Promise<FromBridge> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; events: ${JSON.stringify(events).slice(0, 2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const outputsOf = (id: string): Array<Extract<FromBridge, { type: "output" }>> => events.filter((e): e is Extract<FromBridge, { type: "output" }> => e.type === "output" && e.id === id);
  const run = async (id: string, code: string): Promise<Extract<FromBridge, { type: "done" }>> => {
    await bridge?.handle({ type: "execute", id, code });
    return (await waitFor((e) => e.type === "done" && e.id === id, `done of ${id}`)) as Extract<FromBridge, { type: "done" }>;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "trainset-bridge-"));
    bridge = await startKernelBridge({ cwd: dir, emit: (e) => events.push(e), startTimeoutMs: 120_000 });
  });

  after(async () => {
    await bridge?.close();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("announces readiness once, then streams a cell's output and reports its execution count", async () => {
    assert.equal(events.filter((e) => e.type === "ready").length, 1);
    const done = await run("a", 'var kept = 41;\nconsole.log("hello", kept + 1);');
    assert.equal(done.status, "ok");
    assert.equal(done.executionCount, 1);
    assert.deepEqual(outputsOf("a").map((o) => [o.msgType, o.content.text]), [["stream", "hello 42\n"]]);
  });

  it("forwards display_data and update_display_data with their display id", async () => {
    const done = await run("d", 'import { display } from "trainset";\nconst h = display.text("one");\nh.update("two");');
    assert.equal(done.status, "ok");
    const types = outputsOf("d").map((o) => o.msgType);
    assert.deepEqual(types, ["display_data", "update_display_data"]);
    const ids = outputsOf("d").map((o) => (o.content.transient as { display_id?: string } | undefined)?.display_id);
    assert.equal(ids[0], ids[1]);
  });

  it("interrupts a waiting cell and keeps the variables defined before", async () => {
    await bridge?.handle({ type: "execute", id: "long", code: 'console.log("started");\nawait new Promise(() => {});' });
    await waitFor((e) => e.type === "output" && e.id === "long", "the long cell's first output");
    await bridge?.handle({ type: "interrupt" });
    const done = (await waitFor((e) => e.type === "done" && e.id === "long", "the interrupted cell")) as Extract<FromBridge, { type: "done" }>;
    assert.equal(done.status, "error");
    assert.ok(outputsOf("long").some((o) => o.msgType === "error"));
    await run("after", "console.log(kept);");
    assert.equal(outputsOf("after")[0]?.content.text, "41\n");
  });

  it("restarts with a fresh kernel whose state is empty", async () => {
    await bridge?.handle({ type: "restart" });
    await waitFor((e) => e.type === "restarted", "restarted");
    await run("fresh", "console.log(typeof (globalThis as Record<string, unknown>).kept);");
    assert.equal(outputsOf("fresh")[0]?.content.text, "undefined\n");
  });
});
