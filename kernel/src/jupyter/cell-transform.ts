/**
 * Turns a TypeScript cell into a script that runs in the kernel's global scope: top-level
 * declarations become globals (so later cells see them and re-running a cell may redeclare
 * them), `import` becomes a call to the kernel's loader (ESM and CommonJS alike), top-level
 * `await` works, and the value of a final expression statement is returned.
 */
import type * as ts from "typescript";
import { isPlainJavaScript } from "./plain-javascript.js";
import type { TypeScript } from "./typescript-module.js";

/** The global through which transformed cells reach the kernel (imports, function hoisting). */
export const KERNEL_GLOBAL = "__trainsetKernel__";

/** A cell ready to run with `vm.Script`. */
export interface TransformedCell {
  /** Script text; evaluates to a promise of the cell's result. */
  script: string;
  /** Names the cell defines at top level (variables, functions, classes, imports, enums). */
  declaredNames: string[];
  /** True when the cell ends with an expression whose value is its result. */
  hasResult: boolean;
}

/** Compiler options for turning one cell into JavaScript (types are checked elsewhere). */
function transpileOptions(typescript: TypeScript): ts.CompilerOptions {
  return {
    target: typescript.ScriptTarget.ES2022,
    module: typescript.ModuleKind.ESNext,
    moduleDetection: typescript.ModuleDetectionKind.Force,
    esModuleInterop: true,
    isolatedModules: true,
    // Keep every import, even one whose names are unused in this cell: later cells use them.
    verbatimModuleSyntax: true,
    experimentalDecorators: false,
    useDefineForClassFields: true,
    sourceMap: false,
    removeComments: false,
  };
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Transpiles a cell and rewrites its top level for the kernel.
 * @example
 * const cell = transformCell(ts, "const x: number = 1; x + 1");
 * // cell.script evaluates to a promise of 2; x is now a global
 */
export function transformCell(typescript: TypeScript, code: string): TransformedCell {
  // Plain JavaScript is its own ES2022 output: only TypeScript syntax needs the transpiler.
  const plain = isPlainJavaScript(typescript, typescript.createSourceFile("cell.ts", code, typescript.ScriptTarget.ES2022, false, typescript.ScriptKind.TS));
  const js = plain ? code : typescript.transpileModule(code, { compilerOptions: transpileOptions(typescript), fileName: "cell.ts" }).outputText.replace(/^export \{\};\s*$/m, "");
  const file = typescript.createSourceFile("cell.js", js, typescript.ScriptTarget.ES2022, true, typescript.ScriptKind.JS);
  const hoisted = new Set<string>();
  const functions: string[] = [];
  const edits: Edit[] = [];
  const statements = file.statements;
  let hasResult = false;

  const textOf = (node: ts.Node): string => js.slice(node.getStart(file), node.end);
  const replace = (node: ts.Node, text: string): void => {
    const start = node.getStart(file);
    // Keep the line count, so line numbers in stack traces still point at the cell's lines.
    const lines = js.slice(start, node.end).split("\n").length - 1;
    const pad = lines - (text.split("\n").length - 1);
    edits.push({ start, end: node.end, text: text + "\n".repeat(Math.max(0, pad)) });
  };
  const withoutModifiers = (node: ts.Node & { modifiers?: ts.NodeArray<ts.ModifierLike> }): string => {
    const mods = node.modifiers?.filter((m) => m.kind === typescript.SyntaxKind.ExportKeyword || m.kind === typescript.SyntaxKind.DefaultKeyword) ?? [];
    const last = mods.at(-1);
    return last === undefined ? textOf(node) : js.slice(last.end, node.end).trimStart();
  };

  statements.forEach((statement, index) => {
    const isLast = index === statements.length - 1;
    if (typescript.isImportDeclaration(statement)) {
      replace(statement, importStatement(typescript, statement, hoisted));
    } else if (typescript.isExportDeclaration(statement)) {
      replace(statement, "");
    } else if (typescript.isExportAssignment(statement)) {
      const expression = textOf(statement.expression);
      if (isLast) hasResult = true;
      replace(statement, isLast ? `return (${expression});` : `(${expression});`);
    } else if (typescript.isVariableStatement(statement)) {
      replace(statement, variableStatement(typescript, statement, hoisted, textOf));
    } else if (typescript.isFunctionDeclaration(statement)) {
      if (statement.name === undefined) replace(statement, `(${withoutModifiers(statement)});`);
      else {
        functions.push(statement.name.text);
        replace(statement, withoutModifiers(statement));
      }
    } else if (typescript.isClassDeclaration(statement)) {
      const body = withoutModifiers(statement);
      if (statement.name === undefined) replace(statement, `(${body});`);
      else {
        hoisted.add(statement.name.text);
        replace(statement, `${statement.name.text} = ${body};`);
      }
    } else if (isLast && typescript.isExpressionStatement(statement)) {
      hasResult = true;
      replace(statement, `return (${textOf(statement.expression)});`);
    }
  });

  let body = applyEdits(js, edits);
  body = rewriteDynamicImports(typescript, body);
  const declarations = hoisted.size > 0 ? `var ${[...hoisted].join(", ")}; ` : "";
  const functionExports = functions.map((name) => `globalThis.${name} = ${name}; `).join("");
  const script = `"use strict"; ${declarations}(async () => { ${functionExports}${body}\n})()`;
  return { script, declaredNames: [...hoisted, ...functions], hasResult };
}

function importStatement(typescript: TypeScript, statement: ts.ImportDeclaration, hoisted: Set<string>): string {
  const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
  const load = `await ${KERNEL_GLOBAL}.import(${JSON.stringify(specifier)})`;
  const clause = statement.importClause;
  if (clause === undefined) return `${load};`;
  const parts: string[] = [];
  if (clause.name !== undefined) {
    hoisted.add(clause.name.text);
    parts.push(`${clause.name.text} = ${KERNEL_GLOBAL}.defaultExport(__m);`);
  }
  const bindings = clause.namedBindings;
  if (bindings !== undefined) {
    if (typescript.isNamespaceImport(bindings)) {
      hoisted.add(bindings.name.text);
      parts.push(`${bindings.name.text} = __m;`);
    } else {
      for (const element of bindings.elements) {
        if (element.isTypeOnly) continue;
        const imported = (element.propertyName ?? element.name).text;
        hoisted.add(element.name.text);
        parts.push(`${element.name.text} = ${KERNEL_GLOBAL}.namedExport(__m, ${JSON.stringify(imported)});`);
      }
    }
  }
  return `{ const __m = ${load}; ${parts.join(" ")} }`;
}

function variableStatement(typescript: TypeScript, statement: ts.VariableStatement, hoisted: Set<string>, textOf: (node: ts.Node) => string): string {
  const isVar = (statement.declarationList.flags & (typescript.NodeFlags.Let | typescript.NodeFlags.Const)) === 0;
  const parts: string[] = [];
  for (const declaration of statement.declarationList.declarations) {
    const names = bindingNames(typescript, declaration.name);
    for (const name of names) hoisted.add(name);
    if (declaration.initializer !== undefined) {
      const init = textOf(declaration.initializer);
      parts.push(typescript.isIdentifier(declaration.name) ? `${declaration.name.text} = ${init};` : `(${textOf(declaration.name)} = ${init});`);
    } else if (!isVar) {
      parts.push(names.map((name) => `${name} = undefined;`).join(" "));
    }
  }
  return parts.join(" ");
}

function bindingNames(typescript: TypeScript, name: ts.BindingName): string[] {
  if (typescript.isIdentifier(name)) return [name.text];
  const names: string[] = [];
  for (const element of name.elements) {
    if (typescript.isOmittedExpression(element)) continue;
    names.push(...bindingNames(typescript, element.name));
  }
  return names;
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = "";
  let at = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}

/** Routes `import("x")` through the kernel's loader, which resolves from the notebook's folder. */
function rewriteDynamicImports(typescript: TypeScript, js: string): string {
  const file = typescript.createSourceFile("cell.js", js, typescript.ScriptTarget.ES2022, true, typescript.ScriptKind.JS);
  const edits: Edit[] = [];
  const visit = (node: ts.Node): void => {
    if (typescript.isCallExpression(node) && node.expression.kind === typescript.SyntaxKind.ImportKeyword) {
      edits.push({ start: node.expression.getStart(file), end: node.expression.end, text: `${KERNEL_GLOBAL}.import` });
    }
    typescript.forEachChild(node, visit);
  };
  visit(file);
  return edits.length === 0 ? js : applyEdits(js, edits);
}
