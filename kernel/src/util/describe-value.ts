/** How error messages show a user's bad value: short, typed, never `[object Object]`. */

/**
 * `"text"` (cut at 40 characters), numbers and booleans as written, `null`, `missing`,
 * `an array`, `an object`.
 * @example describeValue("maybe") // '"maybe"'
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "missing";
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "function" || typeof value === "symbol") return `a ${typeof value}`;
  return String(value as number | boolean | bigint);
}
