/** Validation issues: strict mode throws on the first error, collect mode returns them all. */
import { TrainsetError, type ErrorLocation } from "./errors.js";

/** How bad an issue is: errors make a file invalid, warnings do not. */
export type IssueSeverity = "error" | "warning";

/** One problem found in a user's data, located as precisely as the format allows. */
export interface ValidationIssue extends ErrorLocation {
  severity: IssueSeverity;
  /** Stable kebab-case rule id, e.g. `unknown-image-id`. */
  rule: string;
  /** Human sentence without the location prefix. */
  message: string;
}

/** `strict`: the first error throws a TrainsetError. `collect`: every issue is returned. */
export type ValidationMode = "strict" | "collect";

/** Options shared by every `parseX`/`readX`/`validateX`. */
export interface ValidationOptions {
  /** Default `collect` for validate functions, `strict` for read functions. */
  mode?: ValidationMode;
  /** Path used in messages; parse functions have no path of their own. */
  file?: string;
  /** Stop collecting after this many issues (default 1000) so huge broken files stay cheap. */
  maxIssues?: number;
}

/** Accumulates issues; in strict mode the first error throws. */
export class IssueCollector {
  readonly issues: ValidationIssue[] = [];
  private readonly mode: ValidationMode;
  private readonly maxIssues: number;
  /** Total issues seen, including those dropped after maxIssues. */
  total = 0;
  errorCount = 0;

  constructor(
    readonly file: string | undefined,
    options: { mode?: ValidationMode; maxIssues?: number } = {},
  ) {
    this.mode = options.mode ?? "collect";
    this.maxIssues = options.maxIssues ?? 1000;
  }

  /** Records an error (throws in strict mode); `where.file` overrides the collector's file. */
  error(rule: string, message: string, where: ErrorLocation = {}): void {
    this.add({ severity: "error", rule, message, ...this.located(where) });
  }

  /** Records a warning (never throws). */
  warn(rule: string, message: string, where: ErrorLocation = {}): void {
    this.add({ severity: "warning", rule, message, ...this.located(where) });
  }

  /** True when no error (warnings allowed) was recorded. */
  get ok(): boolean {
    return this.errorCount === 0;
  }

  /** A location may name its own file (datasets that span several files); else the collector's. */
  private located(where: ErrorLocation): ErrorLocation {
    return this.file === undefined ? where : { file: this.file, ...where };
  }

  private add(issue: ValidationIssue): void {
    this.total++;
    if (issue.severity === "error") {
      this.errorCount++;
      if (this.mode === "strict") {
        throw new TrainsetError("VALIDATION_ERROR", formatStrictMessage(issue), {
          ...(issue.file === undefined ? {} : { file: issue.file }),
          ...(issue.line === undefined ? {} : { line: issue.line }),
          ...(issue.field === undefined ? {} : { field: issue.field }),
        });
      }
    }
    if (this.issues.length < this.maxIssues) this.issues.push(issue);
  }
}

function formatStrictMessage(issue: ValidationIssue): string {
  const where = issue.file === undefined ? "data" : `"${issue.file}"`;
  const line = issue.line === undefined ? "" : ` line ${issue.line}:`;
  return `Cannot read ${where}:${line} ${issue.message}`;
}

/** `file:line: severity: message [field]`, the shape the CLI prints and editors parse. */
export function formatIssue(issue: ValidationIssue): string {
  const loc = [issue.file, issue.line].filter((p) => p !== undefined).join(":");
  const field = issue.field === undefined ? "" : ` (${issue.field})`;
  return `${loc === "" ? "" : `${loc}: `}${issue.severity}: ${issue.message}${field} [${issue.rule}]`;
}
