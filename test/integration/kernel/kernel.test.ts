/**
 * The trainset kernel driven over ZMQ like a Jupyter client: protocol shapes, signatures, type
 * errors, streaming, displays, interrupts and native ESM imports.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelHarness, type Received } from "./kernel-harness.js";

function contentOf(messages: readonly Received[], type: string): Record<string, unknown>[] {
  return messages.filter((m) => m.header.msg_type === type).map((m) => m.content);
}

async function makeNotebookFolder(root: string): Promise<void> {
  // An ESM-only package: "type": "module" and "exports" with only the import condition.
  const esm = join(root, "node_modules", "esm-only");
  await mkdir(esm, { recursive: true });
  await writeFile(join(esm, "package.json"), JSON.stringify({ name: "esm-only", version: "1.0.0", type: "module", exports: { ".": { import: "./index.js" }, "./extra": { import: "./extra.js" } } }));
  await writeFile(join(esm, "index.js"), 'export default function hello() { return "esm"; }\nexport const answer = 7;\n');
  await writeFile(join(esm, "extra.js"), "export const extra = import.meta.url.endsWith('extra.js');\n");
  const cjs = join(root, "node_modules", "cjs-pkg");
  await mkdir(cjs, { recursive: true });
  await writeFile(join(cjs, "package.json"), JSON.stringify({ name: "cjs-pkg", version: "1.0.0", main: "main.js" }));
  await writeFile(join(cjs, "main.js"), "module.exports = { twice: (x) => x * 2 };\n");
  // The notebook's tsconfig.json: noImplicitAny off, so an untyped parameter is accepted.
  await writeFile(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, noImplicitAny: false } }));
}

describe("trainset kernel (over ZMQ)", function () {
  this.timeout(90_000);
  let root: string;
  let kernel: KernelHarness;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "trainset-kernel-"));
    await makeNotebookFolder(root);
    kernel = await KernelHarness.start(root, root);
  });

  after(async () => {
    if (kernel !== undefined) await kernel.stop();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it("answers kernel_info with protocol 5.3 and TypeScript language_info", async () => {
    const reply = await kernel.request("shell", "kernel_info_request", {});
    assert.equal(reply.header.msg_type, "kernel_info_reply");
    assert.equal(reply.header.version, "5.3");
    assert.equal(reply.content.status, "ok");
    assert.equal(reply.content.protocol_version, "5.3");
    const info = reply.content.language_info as Record<string, unknown>;
    assert.equal(info.name, "typescript");
    assert.equal(info.mimetype, "text/typescript");
    assert.equal(info.file_extension, ".ts");
    assert.match(String(info.version), /^5\.\d+\.\d+/);
  });

  it("drops a message with a wrong signature without running it, and logs it to stderr", async () => {
    const { frames, msgId } = kernel.frames("execute_request", { code: "globalThis.forged = 1;", silent: false, store_history: true, user_expressions: {}, allow_stdin: false }, { sign: false });
    const noReply = kernel.replyTo(msgId, 1500).then(() => "replied", () => "no reply");
    await kernel.sendRaw(frames);
    assert.equal(await noReply, "no reply");
    assert.equal(kernel.iopubFor(msgId).length, 0);
    assert.match(kernel.stderr, /dropped a message on shell \(bad-signature\)/);
    const { outputs } = await kernel.execute("typeof (globalThis as { forged?: number }).forged");
    assert.equal(contentOf(outputs, "execute_result")[0]?.data && (contentOf(outputs, "execute_result")[0]?.data as Record<string, string>)["text/plain"], "'undefined'");
  });

  it("wraps each request in busy and idle and broadcasts execute_input with the count", async () => {
    const { frames, msgId } = kernel.frames("execute_request", { code: "40 + 2", silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
    const reply = kernel.replyTo(msgId);
    await kernel.sendRaw(frames);
    const answer = await reply;
    await kernel.until(() => kernel.iopubFor(msgId).some((m) => m.content.execution_state === "idle"), 10_000);
    const types = kernel.iopubFor(msgId).map((m) => (m.header.msg_type === "status" ? `status:${m.content.execution_state as string}` : m.header.msg_type));
    assert.deepEqual(types, ["status:busy", "execute_input", "execute_result", "status:idle"]);
    const input = kernel.iopubFor(msgId)[1]?.content;
    assert.equal(input?.code, "40 + 2");
    assert.equal(input?.execution_count, answer.content.execution_count);
  });

  it("reports a type error as a Jupyter error naming the cell line, and does not run the cell", async () => {
    const { reply, outputs } = await kernel.execute('let ranBefore = true;\nconst count: number = 1;\nconst label: number = "three";\nglobalThis.typeErrorRan = true;');
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "TSError");
    assert.match(reply.content.evalue as string, /Type 'string' is not assignable to type 'number'.*line 3/);
    const [error] = contentOf(outputs, "error");
    assert.ok(error !== undefined);
    assert.match((error.traceback as string[]).join("\n"), /Line 3, column 7: error TS2322/);
    const check = await kernel.execute("typeof ranBefore");
    assert.equal(check.reply.content.status, "error", "names from a cell that failed type-checking are not defined");
  });

  it("lets types flow from one cell to the next and re-running a cell redeclare its names", async () => {
    assert.equal((await kernel.execute("const rows = [{ file: 'a.jpg', width: 640 }];")).reply.content.status, "ok");
    const bad = await kernel.execute("rows[0].height");
    assert.equal(bad.reply.content.ename, "TSError");
    assert.match(bad.reply.content.evalue as string, /Property 'height' does not exist/);
    assert.equal((await kernel.execute("const rows = [{ file: 'b.jpg', width: 320 }];")).reply.content.status, "ok");
    const good = await kernel.execute("rows[0].width * 2");
    assert.equal((contentOf(good.outputs, "execute_result")[0]?.data as Record<string, string>)["text/plain"], "640");
  });

  it("respects the notebook folder's tsconfig.json", async () => {
    // noImplicitAny is off there, so `x` may be untyped; strictNullChecks is still on.
    assert.equal((await kernel.execute("function untyped(x) { return x; }")).reply.content.status, "ok");
    const nullable = await kernel.execute("const maybe: string | undefined = undefined as string | undefined; maybe.length");
    assert.equal(nullable.reply.content.ename, "TSError");
  });

  it("streams console output while the cell runs, in order, before the result", async () => {
    const started = Date.now();
    const { reply, outputs } = await kernel.execute('console.log("first");\nawait new Promise((r) => setTimeout(r, 400));\nconsole.error("second");\nprocess.stdout.write("third\\n");\n"end"');
    assert.equal(reply.content.status, "ok");
    const kinds = outputs.map((m) => (m.header.msg_type === "stream" ? `${m.content.name as string}:${(m.content.text as string).trim()}` : m.header.msg_type));
    assert.deepEqual(kinds, ["stdout:first", "stderr:second", "stdout:third", "execute_result"]);
    const first = outputs[0];
    assert.ok(first !== undefined && first.at - started < reply.at - started - 250, "the first line arrived well before the cell ended");
  });

  it("sends a Vega-Lite chart as a JSON object with an SVG fallback, and updates it in place", async () => {
    const code = [
      'import { display } from "trainset";',
      'const chart = display.vegaLite({ data: { values: [{ epoch: 1, loss: 0.9 }] }, mark: "line", encoding: { x: { field: "epoch", type: "quantitative" }, y: { field: "loss", type: "quantitative" } } }, { id: "loss-chart" });',
      "chart.update([{ epoch: 1, loss: 0.9 }, { epoch: 2, loss: 0.5 }]);",
    ].join("\n");
    const { reply, outputs } = await kernel.execute(code);
    assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
    const [shown] = contentOf(outputs, "display_data");
    const [updated] = contentOf(outputs, "update_display_data");
    assert.ok(shown !== undefined && updated !== undefined);
    assert.deepEqual(shown.transient, { display_id: "loss-chart" });
    assert.deepEqual(updated.transient, { display_id: "loss-chart" });
    const spec = (shown.data as Record<string, unknown>)["application/vnd.vegalite.v5+json"] as { mark: string };
    assert.equal(typeof spec, "object");
    assert.equal(spec.mark, "line");
    assert.match(String((shown.data as Record<string, unknown>)["image/svg+xml"]), /^<svg/);
    const newSpec = (updated.data as Record<string, unknown>)["application/vnd.vegalite.v5+json"] as { data: { values: unknown[] } };
    assert.equal(newSpec.data.values.length, 2);
    assert.equal(contentOf(outputs, "execute_result").length, 0, "a display handle is not echoed as the cell result");
  });

  it("shows arrays of records and arquero tables with display.table (HTML and text)", async () => {
    const { outputs } = await kernel.execute('import { display } from "trainset";\nimport * as aq from "arquero";\ndisplay.table([{ file: "a.jpg", label: "cat" }, { file: "b.jpg", label: "<dog>" }]);\ndisplay.table(aq.table({ n: [1, 2, 3] }), { limit: 2 });');
    const [records, arquero] = contentOf(outputs, "display_data").map((c) => c.data as Record<string, string>);
    assert.match(records?.["text/html"] ?? "", /<td>&lt;dog&gt;<\/td>/);
    assert.equal(records?.["text/plain"], "file   label\na.jpg  cat\nb.jpg  <dog>");
    assert.match(arquero?.["text/plain"] ?? "", /… 1 more row \(3 in all\)/);
  });

  it("fails the cell when a Vega-Lite spec cannot be rendered", async () => {
    const { reply } = await kernel.execute('import { display } from "trainset";\ndisplay.vegaLite({ mark: "no-such-mark" } as Record<string, unknown>);');
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "TrainsetError");
    assert.match(reply.content.evalue as string, /^Cannot render Vega-Lite chart: /);
  });

  it("shows images from a path or bytes, converting formats other than PNG/JPEG to PNG", async () => {
    const code = [
      'import { display } from "trainset";',
      'import sharp from "sharp";',
      "const pixel = { create: { width: 4, height: 3, channels: 3 as const, background: { r: 255, g: 0, b: 0 } } };",
      'await sharp(pixel).png().toFile("red.png");',
      "display.image(\"red.png\", { width: 40 });",
      "display.image(await sharp(pixel).webp().toBuffer());",
    ].join("\n");
    const { reply, outputs } = await kernel.execute(code);
    assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
    const [fromPath, fromWebp] = contentOf(outputs, "display_data");
    const png = Buffer.from((fromPath?.data as Record<string, string>)["image/png"] ?? "", "base64");
    assert.equal(png.subarray(1, 4).toString(), "PNG");
    assert.deepEqual((fromPath?.metadata as Record<string, unknown>)["image/png"], { width: 40 });
    const converted = Buffer.from((fromWebp?.data as Record<string, string>)["image/png"] ?? "", "base64");
    assert.equal(converted.subarray(1, 4).toString(), "PNG");
  });

  it("imports an ESM-only package natively, by import and by await import()", async () => {
    const { reply, outputs } = await kernel.execute('import hello, { answer } from "esm-only";\nconst dynamic = await import("esm-only/extra");\n`${hello()}${answer}${dynamic.extra}`');
    assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
    assert.equal((contentOf(outputs, "execute_result")[0]?.data as Record<string, string>)["text/plain"], "'esm7true'");
  });

  it("keeps CommonJS packages working, named and default imports", async () => {
    const { outputs } = await kernel.execute('import { twice } from "cjs-pkg";\nimport cjs from "cjs-pkg";\ntwice(4) + cjs.twice(1)');
    assert.equal((contentOf(outputs, "execute_result")[0]?.data as Record<string, string>)["text/plain"], "10");
  });

  it("stops a synchronous loop on interrupt (SIGINT) and keeps earlier variables", async () => {
    await kernel.execute("let keep = 41;");
    const { reply } = await kernel.execute("while (true) {}", { onSent: () => setTimeout(() => kernel.process.kill("SIGINT"), 700) });
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "KeyboardInterrupt");
    const { outputs } = await kernel.execute("keep + 1");
    assert.equal((contentOf(outputs, "execute_result")[0]?.data as Record<string, string>)["text/plain"], "42");
  });

  it("stops a pending promise on interrupt, aborts display.signal() and keeps state", async () => {
    const { reply } = await kernel.execute('import { display } from "trainset";\nvar cellSignal = display.signal();\nawait new Promise(() => {});', { onSent: () => setTimeout(() => kernel.process.kill("SIGINT"), 700) });
    assert.equal(reply.content.ename, "KeyboardInterrupt");
    const { outputs } = await kernel.execute("`${cellSignal.aborted} ${keep}`");
    assert.equal((contentOf(outputs, "execute_result")[0]?.data as Record<string, string>)["text/plain"], "'true 41'");
  });

  it("interrupts through interrupt_request on the control channel too", async () => {
    const running = kernel.execute("await new Promise(() => {});");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const interruptReply = await kernel.request("control", "interrupt_request", {});
    assert.equal(interruptReply.content.status, "ok");
    assert.equal((await running).reply.content.ename, "KeyboardInterrupt");
  });

  it("reports runtime errors with ename, evalue and a traceback", async () => {
    const { reply, outputs } = await kernel.execute('throw new RangeError("too far");');
    assert.equal(reply.content.ename, "RangeError");
    assert.equal(reply.content.evalue, "too far");
    const [error] = contentOf(outputs, "error");
    assert.match((error?.traceback as string[])[0] ?? "", /^RangeError: too far/);
  });

  it("answers is_complete with an indent for incomplete code", async () => {
    const incomplete = await kernel.request("shell", "is_complete_request", { code: "for (const x of [1]) {" });
    assert.deepEqual(incomplete.content, { status: "incomplete", indent: "  " });
    assert.equal((await kernel.request("shell", "is_complete_request", { code: "const x = 1" })).content.status, "complete");
  });

  it("completes members from the TypeScript language service and inspects signatures", async () => {
    const completion = await kernel.request("shell", "complete_request", { code: 'import { display } from "trainset";\ndisplay.veg', cursor_pos: 47 });
    assert.deepEqual(completion.content.matches, ["vegaLite"]);
    assert.equal(completion.content.cursor_start, 44);
    const inspection = await kernel.request("shell", "inspect_request", { code: 'import { display } from "trainset";\ndisplay.vegaLite', cursor_pos: 50, detail_level: 0 });
    assert.equal(inspection.content.found, true);
    assert.match((inspection.content.data as Record<string, string>)["text/plain"] ?? "", /vegaLite\(spec: VegaLiteInput/);
  });

  it("exits cleanly on shutdown_request", async () => {
    const reply = await kernel.request("control", "shutdown_request", { restart: false });
    assert.deepEqual(reply.content, { status: "ok", restart: false });
    const code = await new Promise<number | null>((resolve) => (kernel.process.exitCode !== null ? resolve(kernel.process.exitCode) : kernel.process.once("exit", resolve)));
    assert.equal(code, 0);
    assert.doesNotMatch(kernel.stderr, /terminate called|Napi::Error/);
  });
});
