/** Dropping known keys from a record, for the conversions that carry the rest along as extra fields. */

/** A shallow copy of `obj` without `keys`. */
export function omit(obj: Record<string, unknown>, keys: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) if (!keys.has(key)) out[key] = value;
  return out;
}
