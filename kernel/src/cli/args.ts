/** Small helpers over node:util parseArgs so every command validates its flags the same way. */
import { UsageError } from "./command.js";

/** Parses a number flag, refusing anything that is not a finite number in range. */
export function numberFlag(name: string, value: string | undefined, options: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  if (options.integer === true && !Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  if (options.min !== undefined && n < options.min) throw new UsageError(`--${name} must be at least ${options.min}, got ${value}`);
  if (options.max !== undefined && n > options.max) throw new UsageError(`--${name} must be at most ${options.max}, got ${value}`);
  return n;
}

/** Requires exactly `count` positional arguments. */
export function requirePositionals(positionals: string[], count: number, what: string): string[] {
  if (positionals.length < count) throw new UsageError(`missing ${what}`);
  if (positionals.length > count) throw new UsageError(`unexpected argument "${positionals[count]}"`);
  return positionals;
}
