import { strict as assert } from "node:assert";
import { join } from "node:path";
import type * as ts from "typescript";
import {
  ambientNames,
  cellWords,
  mentionsAmbient,
} from "../../../kernel/src/jupyter/ambient-names.js";
import { kernelPaths } from "../../../kernel/src/jupyter/kernel-paths.js";
import { loadTypeScript, type TypeScript } from "../../../kernel/src/jupyter/typescript-module.js";

function program(typescript: TypeScript, types: string[], lib = ["lib.es2023.d.ts"]): ts.Program {
  const options: ts.CompilerOptions = {
    lib,
    types,
    typeRoots: kernelPaths().typeRoots,
    module: typescript.ModuleKind.NodeNext,
    moduleResolution: typescript.ModuleResolutionKind.NodeNext,
    target: typescript.ScriptTarget.ES2022,
    noEmit: true,
  };
  const host = typescript.createCompilerHost(options);
  const cell = join(process.cwd(), "__cell.mts");
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, ...rest) =>
    file === cell
      ? typescript.createSourceFile(file, "export {};", language)
      : getSourceFile(file, language, ...rest);
  return typescript.createProgram({ rootNames: [cell], options, host });
}

describe("ambientNames()", () => {
  let typescript: TypeScript;
  let names: Set<string>;

  before(async function () {
    if (kernelPaths().typeRoots.length === 0) this.skip();
    typescript = await loadTypeScript();
    const found = ambientNames(typescript, program(typescript, ["node"]), program(typescript, []));
    assert.ok(found !== undefined);
    names = found;
  });

  it("lists the globals @types/node declares", () => {
    for (const name of [
      "process",
      "Buffer",
      "console",
      "setTimeout",
      "require",
      "__dirname",
      "NodeJS",
      "fetch",
      "structuredClone",
    ])
      assert.ok(names.has(name), name);
  });

  it("lists the members it adds to standard globals, through the interfaces they extend", () => {
    for (const name of ["captureStackTrace", "dirname", "dispose", "at"])
      assert.ok(names.has(name), name);
  });

  it("leaves out standard globals it only adds named members to, and ordinary names", () => {
    for (const name of ["Array", "String", "Math", "JSON", "Map", "map", "length", "x"])
      assert.ok(!names.has(name), name);
  });

  it("lists what the ES2015+ libraries add to ES5's, against an ES5-only program", () => {
    const es5 = ambientNames(
      typescript,
      program(typescript, ["node"]),
      program(typescript, [], ["lib.es5.d.ts"]),
    );
    for (const name of ["Map", "Promise", "Symbol", "includes", "flat", "process"])
      assert.ok(es5?.has(name), name);
    for (const name of ["Math", "JSON", "Array", "Date", "encodeURIComponent", "x"])
      assert.ok(es5?.has(name) === false, name);
  });

  it("refuses a smaller program that declares what the full one does not", () => {
    const withDom = program(typescript, [], ["lib.es2023.d.ts", "lib.dom.d.ts"]);
    assert.equal(ambientNames(typescript, program(typescript, []), withDom), undefined);
  });

  it("finds a mention in identifiers, property names and string literals", () => {
    const words = (code: string) =>
      cellWords(
        typescript,
        typescript.createSourceFile("c.mts", code, typescript.ScriptTarget.ES2022),
      );
    assert.equal(mentionsAmbient(words("1 + 1"), names), false);
    assert.equal(mentionsAmbient(words("[1, 2].map((x) => x * 2)"), names), false);
    assert.equal(mentionsAmbient(words("process.exitCode"), names), true);
    assert.equal(
      mentionsAmbient(words("new Error().stack; Error.captureStackTrace({})"), names),
      true,
    );
    assert.equal(mentionsAmbient(words('globalThis["setTimeout"]'), names), true);
    assert.equal(mentionsAmbient(words("{ using x = null; }"), names), true);
  });
});
