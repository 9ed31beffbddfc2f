import { strict as assert } from "node:assert";
import { runInNewContext } from "node:vm";
import { transformCell } from "../../../kernel/src/jupyter/cell-transform.js";
import { isPlainJavaScript } from "../../../kernel/src/jupyter/plain-javascript.js";
import { loadTypeScript, type TypeScript } from "../../../kernel/src/jupyter/typescript-module.js";

describe("isPlainJavaScript()", () => {
  let typescript: TypeScript;
  const plain = (code: string): boolean =>
    isPlainJavaScript(
      typescript,
      typescript.createSourceFile(
        "cell.ts",
        code,
        typescript.ScriptTarget.ES2022,
        false,
        typescript.ScriptKind.TS,
      ),
    );

  before(async () => {
    typescript = await loadTypeScript();
  });

  it("accepts JavaScript that ES2022 runs as written", () => {
    for (const code of [
      "1 + 1",
      "const xs = [1, 2].map((x) => x * 2);\nxs",
      "async function f(a, b = 2, ...rest) { return a + b + rest.length; }\nawait f(1)",
      "for (const [k, v] of Object.entries({ a: 1 })) { if (k in {}) continue; }",
      "({ get a() { return 1; }, b() { return this.a; }, ...{ c: 3 }, [`k${1}`]: 2 })",
      "x?.y ?? (a instanceof B ? 1 : 2)",
      'const m = await import("node:path"); import.meta.url',
      "try { throw new Error('e'); } catch { } finally { }",
      "label: while (true) { switch (1) { case 1: break label; default: } }",
    ]) {
      assert.ok(plain(code), code);
    }
  });

  it("rejects TypeScript syntax and what ES2022 does not run as written", () => {
    for (const code of [
      "const n: number = 1",
      "let a!: number",
      "x as number",
      "x satisfies object",
      "x!.y",
      "<number>x",
      "f<number>(1)",
      "function f<T>(x) { return x; }",
      "function f(x?) { return x; }",
      "function f(this) { return 1; }",
      "(x): number => x",
      "try { } catch (e: unknown) { }",
      "enum E { A }",
      "interface A { a: 1 }",
      "type A = 1",
      "declare const x: number",
      "class A { x = 1 }",
      "function f(x);\nfunction f(x) { return x; }",
      'import x from "y"',
      "export const a = 1",
      "{ using d = r; }",
      "1 +",
    ]) {
      assert.ok(!plain(code), code);
    }
  });
});

describe("transformCell()", () => {
  let typescript: TypeScript;

  before(async () => {
    typescript = await loadTypeScript();
  });

  async function run(code: string): Promise<unknown> {
    return (await runInNewContext(transformCell(typescript, code).script)) as unknown;
  }

  it("runs plain JavaScript as written, keeping the cell's lines", async () => {
    const code = "const a = 20;\n// a comment\nlet b = `${a}`.length;\na * b + 2";
    const cell = transformCell(typescript, code);
    assert.ok(cell.script.includes("// a comment\n"));
    assert.equal(cell.hasResult, true);
    assert.deepEqual(cell.declaredNames.sort(), ["a", "b"]);
    assert.equal(await run(code), 42);
  });

  it("gives the same result for a cell with and without type annotations", async () => {
    assert.equal(await run("function f(x, y) { return x * y; }\nf(6, 7)"), 42);
    assert.equal(
      await run("function f(x: number, y: number): number { return x * y; }\nf(6, 7)"),
      42,
    );
  });
});
