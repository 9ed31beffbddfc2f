import { strict as assert } from "node:assert";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CellTypeChecker } from "../../../kernel/src/jupyter/type-checker.js";
import { loadTypeScript } from "../../../kernel/src/jupyter/typescript-module.js";
import { kernelPaths } from "../../../kernel/src/jupyter/kernel-paths.js";
import { useTempDir } from "../../support/tmp.js";

describe("CellTypeChecker", () => {
  const tmpDir = useTempDir();
  let checker: CellTypeChecker;

  beforeEach(async () => {
    // A small stand-in for trainset's declarations: the checker only needs a file to resolve to.
    const typesEntry = join(tmpDir(), "library.d.ts");
    await writeFile(typesEntry, "export declare function double(n: number): number;\nexport interface Row { file: string }\n");
    checker = new CellTypeChecker(await loadTypeScript(), { notebookDir: tmpDir(), typesEntry, typeRoots: kernelPaths().typeRoots });
    checker.warmUp(true);
  });

  it("reports a type error in a cell that uses nothing from earlier cells, on the cell's own line", () => {
    const diagnostics = checker.check("const a = 1;\nconst n: number = 'x';");
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.line, 2);
    assert.match(diagnostics[0]?.message ?? "", /not assignable to type 'number'/);
  });

  it("keeps types flowing from an earlier cell into a cell that names its declarations", () => {
    const first = 'import { double, type Row } from "trainset";\nconst rows: Row[] = [{ file: "a.jpg" }];';
    assert.deepEqual(checker.check(first), []);
    checker.commit(first);
    assert.deepEqual(checker.check("double(rows.length)"), []);
    const wrong = checker.check("double(rows[0]!.file)");
    assert.equal(wrong.length, 1);
    assert.match(wrong[0]?.message ?? "", /'string' is not assignable to parameter of type 'number'/);
  });

  it("checks a standalone cell the same way after the history has imported the library", () => {
    const first = 'import { double } from "trainset";\nconst total = double(2);';
    checker.commit(first);
    assert.deepEqual(checker.check("1 + 1"), []);
    assert.match(checker.check("const s: string = 1 + 1;")[0]?.message ?? "", /'number' is not assignable to type 'string'/);
    assert.match(checker.check("missing + 1")[0]?.message ?? "", /Cannot find name 'missing'/);
    // A cell that redeclares an earlier name is checked against the history, not standalone.
    assert.deepEqual(checker.check("const total = 'now a string';\ntotal.toUpperCase()"), []);
  });

  it("gives a standalone cell that names a Node.js global the @types/node declarations", () => {
    assert.deepEqual(checker.check("process.env.HOME"), []);
    assert.deepEqual(checker.check('const hex: string = Buffer.from("x").toString("hex");'), []);
    assert.deepEqual(checker.check("console.log(1);\nsetTimeout(() => undefined, 1);"), []);
    const wrong = checker.check("const a = 1;\nconst pid: string = process.pid;");
    assert.equal(wrong.length, 1);
    assert.equal(wrong[0]?.line, 2);
    assert.match(wrong[0]?.message ?? "", /'number' is not assignable to type 'string'/);
  });

  it("sees what @types/node adds to standard globals (Error.captureStackTrace, import.meta.dirname, Symbol.dispose)", () => {
    assert.deepEqual(checker.check("Error.captureStackTrace({});"), []);
    assert.deepEqual(checker.check("import.meta.dirname.length"), []);
    assert.deepEqual(checker.check("const d = { [Symbol.dispose]() {} };\n{ using held = d; }"), []);
  });

  it("reports an error in a cell that names no Node.js global on its line, worded as with the node types", () => {
    const wrong = checker.check("const xs = [1, 2, 3];\n\nconst s: string = xs.length * 2;");
    assert.equal(wrong.length, 1);
    assert.equal(wrong[0]?.line, 3);
    assert.equal(wrong[0]?.column, 7);
    assert.match(wrong[0]?.message ?? "", /'number' is not assignable to type 'string'/);
    // The suggestion comes from @types/node: the error is re-checked with it.
    const misspelt = checker.check("proces.env");
    assert.equal(misspelt.length, 1);
    assert.match(misspelt[0]?.message ?? "", /Cannot find name 'proces'. Did you mean 'process'\?/);
  });

  it("reports errors in cells that need ES2015+ types without naming them (iteration, generators, async)", () => {
    assert.deepEqual(checker.check("let sum = 0;\nfor (const x of [1, 2]) sum += x;\nsum"), []);
    assert.match(checker.check("for (const x of [1, 2]) {\n  const s: string = x;\n}")[0]?.message ?? "", /'number' is not assignable to type 'string'/);
    const generator = checker.check("function* g() { yield 1; }\nconst s: string = g().next().value;");
    assert.equal(generator.length, 1);
    assert.equal(generator[0]?.line, 2);
    assert.deepEqual(checker.check("const f = async () => 1;\nconst n: number = await f();"), []);
    assert.match(checker.check("const f = async () => 1;\nconst s: string = await f();")[0]?.message ?? "", /'number' is not assignable to type 'string'/);
    assert.match(checker.check('const m = new Map([["a", 1]]);\nm.set("b", "c");')[0]?.message ?? "", /'string' is not assignable to parameter of type 'number'/);
  });

  it("checks a global that both the DOM lib and @types/node declare with the node types", async () => {
    // With the DOM lib alone, setTimeout returns a number; with @types/node too, a Timeout.
    await writeFile(join(tmpDir(), "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, lib: ["es2023", "dom"] } }));
    const dom = new CellTypeChecker(await loadTypeScript(), { notebookDir: tmpDir(), typesEntry: join(tmpDir(), "library.d.ts"), typeRoots: kernelPaths().typeRoots });
    dom.warmUp(false);
    const wrong = dom.check("const timer: number = setTimeout(() => undefined, 1);");
    assert.equal(wrong.length, 1);
    assert.match(wrong[0]?.message ?? "", /'Timeout' is not assignable to type 'number'/);
    assert.deepEqual(dom.check("document.title.length"), []);
  });

  it("treats a cell with a dynamic import as depending on modules", () => {
    assert.deepEqual(checker.check('const lib = await import("trainset");\nlib.double(3)'), []);
    assert.equal(checker.check('const lib = await import("trainset");\nlib.double("3")').length, 1);
  });
});
