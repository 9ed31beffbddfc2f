/**
 * The global names that automatic type packages (`@types/node`: `process`, `Buffer`, `console`,
 * `setTimeout`, `Error.captureStackTrace`, `import.meta.dirname`…) add to the standard library,
 * and that the ES2015+ libraries add to ES5's (`Map`, `Promise`, `Array#includes`…). A cell that
 * mentions none of them type-checks the same in the smaller program, which is several times
 * cheaper to rebuild per cell (~60 files or 1 instead of ~160).
 */
import type * as ts from "typescript";
import type { TypeScript } from "./typescript-module.js";

// Always sent to the full program: their types list every global, @types/node's included.
const ALWAYS_AMBIENT = ["globalThis", "global"];

/** The words of a cell that could reach a global declaration. */
export interface CellWords {
  /** Every identifier, property names included. */
  identifiers: Set<string>;
  /** The text of every string literal (`globalThis["process"]`). */
  literals: Set<string>;
  /** True when the cell has a `using` declaration (it needs the global `Disposable` types). */
  usesDisposal: boolean;
}

/**
 * Collects the identifiers and string literals of a parsed cell.
 * @example
 * cellWords(ts, ts.createSourceFile("c.mts", "process.env.HOME", ts.ScriptTarget.ES2022)).identifiers; // {process, env, HOME}
 */
export function cellWords(typescript: TypeScript, source: ts.SourceFile): CellWords {
  const words: CellWords = { identifiers: new Set(), literals: new Set(), usesDisposal: false };
  const visit = (node: ts.Node): void => {
    if (typescript.isIdentifier(node)) words.identifiers.add(node.text);
    else if (typescript.isStringLiteralLike(node)) words.literals.add(node.text);
    else if (
      typescript.isVariableDeclarationList(node) &&
      (node.flags & typescript.NodeFlags.Using) !== 0
    )
      words.usesDisposal = true;
    typescript.forEachChild(node, visit);
  };
  visit(source);
  return words;
}

/** True when the cell mentions a name of `ambient` (or needs global types a type package may add). */
export function mentionsAmbient(words: CellWords, ambient: ReadonlySet<string>): boolean {
  if (words.usesDisposal) return true;
  for (const word of words.identifiers) if (ambient.has(word)) return true;
  for (const word of words.literals) if (ambient.has(word)) return true;
  return false;
}

/**
 * The names that `full` declares globally beyond `base` (the same options with fewer libraries
 * or without type packages), or undefined when `base` has a file that `full` lacks:
 * every global the extra files declare, and, where they augment a standard global (`interface
 * ErrorConstructor { captureStackTrace… }`, `interface Array<T> extends RelativeIndexable<T>`),
 * every member they add, through the interfaces they extend.
 * @example
 * ambientNames(ts, fullProgram, libOnlyProgram)?.has("process"); // true
 */
export function ambientNames(
  typescript: TypeScript,
  full: ts.Program,
  base: ts.Program,
): Set<string> | undefined {
  const baseFiles = new Set(base.getSourceFiles().map((file) => file.fileName));
  const fullFiles = new Set(full.getSourceFiles().map((file) => file.fileName));
  // A base that declares what the full program does not (`lib: ["dom"]` without ES5) could accept
  // a cell the full program rejects: no names then, and the base is not used.
  for (const file of baseFiles) if (!fullFiles.has(file)) return undefined;
  const extra = new Map<string, ts.Statement[]>();
  for (const file of full.getSourceFiles()) {
    if (baseFiles.has(file.fileName)) continue;
    for (const statement of globalStatements(typescript, file)) {
      for (const name of declaredNames(typescript, statement))
        extra.set(name, [...(extra.get(name) ?? []), statement]);
    }
  }
  const standard = new Set<string>();
  for (const file of base.getSourceFiles()) {
    for (const statement of globalStatements(typescript, file))
      for (const name of declaredNames(typescript, statement)) standard.add(name);
  }

  const names = new Set<string>(ALWAYS_AMBIENT);
  const expanded = new Set<string>();
  const addMembers = (name: string): void => {
    if (expanded.has(name)) return;
    expanded.add(name);
    for (const statement of extra.get(name) ?? []) {
      memberNames(typescript, statement, names);
      if (
        typescript.isInterfaceDeclaration(statement) ||
        typescript.isClassDeclaration(statement)
      ) {
        for (const clause of statement.heritageClauses ?? []) {
          for (const type of clause.types)
            if (typescript.isIdentifier(type.expression)) addMembers(type.expression.text);
        }
      }
    }
  };
  for (const [name, statements] of extra) {
    if (!standard.has(name)) {
      names.add(name);
      continue;
    }
    addMembers(name);
    // An interface that only adds named members (`interface Array<T> extends RelativeIndexable<T>`)
    // changes nothing a cell can reach but those members; any other redeclaration (`var`, an
    // overloaded function, a call or index signature) changes the name itself.
    if (
      !statements.every(
        (statement) =>
          typescript.isInterfaceDeclaration(statement) &&
          statement.members.every((member) => member.name !== undefined),
      )
    )
      names.add(name);
  }
  return names;
}

/** The statements of a file that declare globals: a script's top level and `declare global` blocks. */
function globalStatements(typescript: TypeScript, file: ts.SourceFile): ts.Statement[] {
  const out: ts.Statement[] = [];
  const scan = (statements: readonly ts.Statement[], isGlobal: boolean): void => {
    for (const statement of statements) {
      if (typescript.isModuleDeclaration(statement)) {
        const body = statement.body;
        const inner = body !== undefined && typescript.isModuleBlock(body) ? body.statements : [];
        if ((statement.flags & typescript.NodeFlags.GlobalAugmentation) !== 0) {
          scan(inner, true);
          continue;
        }
        // `declare module "fs" { … global { … } }`: only its global block is global.
        if (typescript.isStringLiteral(statement.name)) {
          scan(inner, false);
          continue;
        }
      }
      if (isGlobal) out.push(statement);
    }
  };
  scan(file.statements, !typescript.isExternalModule(file));
  return out;
}

function declaredNames(typescript: TypeScript, statement: ts.Statement): string[] {
  if (typescript.isVariableStatement(statement)) {
    const out: string[] = [];
    const add = (name: ts.BindingName): void => {
      if (typescript.isIdentifier(name)) out.push(name.text);
      else
        for (const element of name.elements)
          if (!typescript.isOmittedExpression(element)) add(element.name);
    };
    for (const declaration of statement.declarationList.declarations) add(declaration.name);
    return out;
  }
  if (
    typescript.isFunctionDeclaration(statement) ||
    typescript.isClassDeclaration(statement) ||
    typescript.isInterfaceDeclaration(statement) ||
    typescript.isTypeAliasDeclaration(statement) ||
    typescript.isEnumDeclaration(statement) ||
    typescript.isImportEqualsDeclaration(statement)
  ) {
    return statement.name === undefined ? [] : [statement.name.text];
  }
  if (typescript.isModuleDeclaration(statement) && typescript.isIdentifier(statement.name))
    return [statement.name.text];
  return [];
}

/** Adds the names of the members of an interface, class or enum, and of what a namespace declares. */
function memberNames(typescript: TypeScript, statement: ts.Statement, into: Set<string>): void {
  const addName = (name: ts.Node | undefined): void => {
    if (name === undefined) return;
    if (
      typescript.isIdentifier(name) ||
      typescript.isStringLiteral(name) ||
      typescript.isPrivateIdentifier(name)
    )
      into.add(name.text);
    // `[Symbol.dispose]()`: the member is reached through `dispose`.
    else if (
      typescript.isComputedPropertyName(name) &&
      typescript.isPropertyAccessExpression(name.expression)
    )
      into.add(name.expression.name.text);
  };
  if (
    typescript.isInterfaceDeclaration(statement) ||
    typescript.isClassDeclaration(statement) ||
    typescript.isEnumDeclaration(statement)
  ) {
    for (const member of statement.members) addName(member.name);
  } else if (
    typescript.isModuleDeclaration(statement) &&
    statement.body !== undefined &&
    typescript.isModuleBlock(statement.body)
  ) {
    for (const inner of statement.body.statements) {
      for (const name of declaredNames(typescript, inner)) into.add(name);
      memberNames(typescript, inner, into);
    }
  }
}
