/**
 * Recognises cells written in plain JavaScript that ES2022 runs as written: for them the
 * TypeScript-to-JavaScript step is the identity, so the kernel can skip `transpileModule` (about
 * 1 ms, most of a trivial cell's own cost). Anything else — a type annotation, `as`, `!`, an
 * enum, a class, a decorator, `using`, an import — takes the full transpile.
 */
import type * as ts from "typescript";
import type { TypeScript } from "./typescript-module.js";

let allowedKinds: Set<ts.SyntaxKind> | undefined;

/** Node kinds that mean the same in JavaScript and TypeScript and that ES2022 runs unchanged. */
function plainKinds(typescript: TypeScript): Set<ts.SyntaxKind> {
  if (allowedKinds !== undefined) return allowedKinds;
  const k = typescript.SyntaxKind;
  allowedKinds = new Set([
    k.SourceFile,
    k.EndOfFileToken,
    k.Identifier,
    k.NumericLiteral,
    k.BigIntLiteral,
    k.StringLiteral,
    k.RegularExpressionLiteral,
    k.NoSubstitutionTemplateLiteral,
    k.TemplateExpression,
    k.TemplateHead,
    k.TemplateMiddle,
    k.TemplateTail,
    k.TemplateSpan,
    k.TaggedTemplateExpression,
    k.TrueKeyword,
    k.FalseKeyword,
    k.NullKeyword,
    k.ThisKeyword,
    k.SuperKeyword,
    k.ImportKeyword,
    k.AsyncKeyword,
    k.AwaitKeyword,
    k.InKeyword,
    k.InstanceOfKeyword,
    k.ArrayLiteralExpression,
    k.ObjectLiteralExpression,
    k.PropertyAssignment,
    k.ShorthandPropertyAssignment,
    k.SpreadAssignment,
    k.SpreadElement,
    k.ComputedPropertyName,
    k.PropertyAccessExpression,
    k.ElementAccessExpression,
    k.CallExpression,
    k.NewExpression,
    k.ParenthesizedExpression,
    k.MetaProperty,
    k.FunctionExpression,
    k.ArrowFunction,
    k.DeleteExpression,
    k.TypeOfExpression,
    k.VoidExpression,
    k.AwaitExpression,
    k.YieldExpression,
    k.PrefixUnaryExpression,
    k.PostfixUnaryExpression,
    k.BinaryExpression,
    k.ConditionalExpression,
    k.MethodDeclaration,
    k.GetAccessor,
    k.SetAccessor,
    k.Parameter,
    k.ObjectBindingPattern,
    k.ArrayBindingPattern,
    k.BindingElement,
    k.OmittedExpression,
    k.Block,
    k.VariableStatement,
    k.VariableDeclarationList,
    k.VariableDeclaration,
    k.EmptyStatement,
    k.ExpressionStatement,
    k.IfStatement,
    k.DoStatement,
    k.WhileStatement,
    k.ForStatement,
    k.ForInStatement,
    k.ForOfStatement,
    k.ContinueStatement,
    k.BreakStatement,
    k.ReturnStatement,
    k.SwitchStatement,
    k.CaseBlock,
    k.CaseClause,
    k.DefaultClause,
    k.LabeledStatement,
    k.ThrowStatement,
    k.TryStatement,
    k.CatchClause,
    k.FunctionDeclaration,
  ]);
  return allowedKinds;
}

/**
 * True when `source` (parsed as TypeScript) is plain JavaScript whose ES2022 output is its own text.
 * @example
 * isPlainJavaScript(ts, ts.createSourceFile("c.ts", "1 + 1", ts.ScriptTarget.ES2022)); // true
 * isPlainJavaScript(ts, ts.createSourceFile("c.ts", "const n: number = 1", ts.ScriptTarget.ES2022)); // false
 */
export function isPlainJavaScript(typescript: TypeScript, source: ts.SourceFile): boolean {
  // Syntax errors: the transpiler's recovery decides what runs, as it always did.
  const parseDiagnostics = (source as { parseDiagnostics?: readonly unknown[] }).parseDiagnostics;
  if (parseDiagnostics === undefined || parseDiagnostics.length > 0) return false;
  const kinds = plainKinds(typescript);
  const k = typescript.SyntaxKind;
  let plain = true;
  const visit = (node: ts.Node): void => {
    if (!plain) return;
    const kind = node.kind;
    // Operators and punctuation (`+`, `?.`, `=>`, `...`) are the same in both languages.
    const isPunctuation = kind >= k.FirstPunctuation && kind <= k.LastPunctuation;
    if (!isPunctuation && !kinds.has(kind)) {
      plain = false;
      return;
    }
    if (!isPunctuation && !isPlainNode(typescript, node)) {
      plain = false;
      return;
    }
    typescript.forEachChild(node, visit);
  };
  visit(source);
  return plain;
}

/** The TypeScript-only parts an allowed node kind may still carry. */
function isPlainNode(typescript: TypeScript, node: ts.Node): boolean {
  if (typescript.canHaveModifiers(node)) {
    const modifiers = typescript.getModifiers(node) ?? [];
    if (modifiers.some((modifier) => modifier.kind !== typescript.SyntaxKind.AsyncKeyword))
      return false;
  }
  if (typescript.isFunctionLike(node)) {
    const fn = node as ts.SignatureDeclarationBase & { body?: ts.Node; asteriskToken?: ts.Node };
    if (fn.typeParameters !== undefined || fn.type !== undefined) return false;
    // A body-less function is an overload signature.
    if (fn.body === undefined) return false;
  }
  if (typescript.isParameter(node))
    return (
      node.type === undefined &&
      node.questionToken === undefined &&
      !(typescript.isIdentifier(node.name) && node.name.text === "this")
    );
  if (typescript.isVariableDeclaration(node))
    return node.type === undefined && node.exclamationToken === undefined;
  if (typescript.isVariableDeclarationList(node))
    return (node.flags & typescript.NodeFlags.Using) === 0;
  if (
    typescript.isCallExpression(node) ||
    typescript.isNewExpression(node) ||
    typescript.isTaggedTemplateExpression(node)
  )
    return node.typeArguments === undefined;
  if (
    typescript.isPropertyAssignment(node) ||
    typescript.isShorthandPropertyAssignment(node) ||
    typescript.isMethodDeclaration(node)
  ) {
    const optional = node as { questionToken?: ts.Node; exclamationToken?: ts.Node };
    return optional.questionToken === undefined && optional.exclamationToken === undefined;
  }
  return true;
}
