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

  it("treats a cell with a dynamic import as depending on modules", () => {
    assert.deepEqual(checker.check('const lib = await import("trainset");\nlib.double(3)'), []);
    assert.equal(checker.check('const lib = await import("trainset");\nlib.double("3")').length, 1);
  });
});
