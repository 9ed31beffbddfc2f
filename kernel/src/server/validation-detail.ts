/**
 * Readable `detail` text for schema-validation failures: the field path as in the body
 * (`annotations[2].rating`), the seed's own messages for ratings and frame paths, and the names of
 * refused unknown fields.
 */
import { describeValue } from "../util/describe-value.js";

/** One error as Fastify's validator reports it (ajv and TypeBox share the shape). */
export interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

function pointerToField(pointer: string): string {
  let out = "";
  for (const part of pointer.split("/").slice(1)) out += /^\d+$/.test(part) ? `[${part}]` : out === "" ? part : `.${part}`;
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const part of pointer.split("/").slice(1)) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return value;
}

/** The one-line description of a validation issue, e.g. `Rating must be between 0.0 and 1.0, got 1.5 (annotations[0].rating)`. */
export function describeIssue(issue: ValidationIssue, part: string, data: unknown): string {
  const field = pointerToField(issue.instancePath);
  const where = field === "" ? part : field;
  const value = valueAt(data, issue.instancePath);
  const last = issue.instancePath.split("/").pop() ?? "";
  if (last === "rating" && (issue.keyword === "minimum" || issue.keyword === "maximum" || issue.keyword === "type")) return `Rating must be between 0.0 and 1.0, got ${describeValue(value)} (${where})`;
  if (last === "framePath" && (issue.keyword === "minLength" || issue.keyword === "type")) return `FramePath cannot be null or empty (${where})`;
  if (issue.keyword === "additionalProperties") {
    const extra = issue.params?.["additionalProperties"] ?? issue.params?.["additionalProperty"];
    const names = Array.isArray(extra) ? extra.map(String) : [String(extra)];
    return `${where} has unknown field${names.length === 1 ? "" : "s"} ${names.map((n) => JSON.stringify(n)).join(", ")}`;
  }
  if (issue.keyword === "required") {
    const missing = issue.params?.["requiredProperties"] ?? issue.params?.["missingProperty"];
    const names = Array.isArray(missing) ? missing.map(String) : [String(missing)];
    return `${where} is missing required field${names.length === 1 ? "" : "s"} ${names.map((n) => JSON.stringify(n)).join(", ")}`;
  }
  if (issue.keyword === "boolean") return `${where} is not a known field`;
  return `${where} ${issue.message ?? "is invalid"}, got ${describeValue(value)}`;
}

/** Joins the distinct issues of one failed validation into a detail sentence. */
export function describeIssues(issues: readonly ValidationIssue[], part: string, data: unknown): string {
  const skipped = issues.some((i) => i.keyword === "additionalProperties") ? issues.filter((i) => i.keyword !== "boolean") : issues;
  return [...new Set(skipped.map((i) => describeIssue(i, part, data)))].join("; ");
}
