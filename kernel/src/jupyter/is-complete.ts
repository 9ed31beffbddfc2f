/**
 * `is_complete_request`: whether a console should run the code or wait for another line.
 * Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#code-completeness
 */
import type { TypeScript } from "./typescript-module.js";

/** The reply content of `is_complete_request`. */
export type CompletenessReply = { status: "complete" } | { status: "incomplete"; indent: string } | { status: "invalid" };

const CONTINUABLE = new Set([
  1160, // Unterminated template literal.
  1010, // '*/' expected.
]);

/**
 * Complete when it parses; incomplete when the only syntax errors sit at the end of the text
 * (an open brace, paren, template or trailing operator); invalid otherwise.
 * @example
 * checkCompleteness(ts, "function f() {"); // { status: "incomplete", indent: "  " }
 */
export function checkCompleteness(typescript: TypeScript, code: string): CompletenessReply {
  const output = typescript.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: typescript.ScriptTarget.ES2022, module: typescript.ModuleKind.ESNext } });
  const errors = (output.diagnostics ?? []).filter((d) => d.category === typescript.DiagnosticCategory.Error);
  if (errors.length === 0) return { status: "complete" };
  const end = code.trimEnd().length;
  // An unterminated template literal or block comment may continue on the next line too.
  const atEnd = errors.every((d) => (d.start ?? 0) >= end || CONTINUABLE.has(d.code));
  if (!atEnd) return { status: "invalid" };
  return { status: "incomplete", indent: nextIndent(code) };
}

function nextIndent(code: string): string {
  const lines = code.trimEnd().split("\n");
  const last = lines.at(-1) ?? "";
  const current = /^\s*/.exec(last)?.[0] ?? "";
  return /[{([]\s*$/.test(last) ? current + "  " : current;
}
