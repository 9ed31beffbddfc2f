/** Names that become folder names in the store (user ids, model names) must not escape it. */
import { TrainsetError } from "../util/errors.js";

/** What a checked name is, used in messages (`UserId`, `model name`). */
export type SafeNameKind = "UserId" | "model name" | "version";

const UNSAFE = /[/\\\0]/;
const MAX_LENGTH = 128;

/**
 * Why `value` cannot be a folder name in the store, or undefined when it can. Empty names get the
 * seed's message (`UserId cannot be null or empty`).
 */
export function unsafeNameReason(kind: SafeNameKind, value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return `${kind} cannot be null or empty`;
  if (UNSAFE.test(value)) return `${kind} ${JSON.stringify(value)} contains a path separator or NUL`;
  if (value === "." || value === ".." || value.includes("..")) {
    return `${kind} ${JSON.stringify(value)} contains "..", which could leave the store`;
  }
  if (value.length > MAX_LENGTH) return `${kind} is longer than ${MAX_LENGTH} characters`;
  if (value !== value.trim()) return `${kind} ${JSON.stringify(value)} starts or ends with whitespace`;
  return undefined;
}

/**
 * Throws a VALIDATION_ERROR unless `value` is a safe folder name.
 * @example assertSafeName("UserId", "default-user", "store annotations")
 */
export function assertSafeName(kind: SafeNameKind, value: unknown, action: string): string {
  const reason = unsafeNameReason(kind, value);
  if (reason !== undefined) {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot ${action}: ${reason}`, { field: kind === "UserId" ? "userId" : kind });
  }
  return value as string;
}
