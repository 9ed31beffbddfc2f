/** Named split ratios (`train=0.8,val=0.1,test=0.1`) and k-fold shares, validated once. */

/** One output split and its share of the samples. */
export interface SplitRatio {
  /** Name used for the output file, e.g. `train`. */
  name: string;
  /** Share of the samples (not of the groups), in (0, 1]. */
  ratio: number;
}

/** `train=0.8,val=0.1,test=0.1`: the default when no ratios are given. */
export const DEFAULT_SPLIT_RATIOS: readonly SplitRatio[] = Object.freeze([
  { name: "train", ratio: 0.8 },
  { name: "val", ratio: 0.1 },
  { name: "test", ratio: 0.1 },
]);

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SUM_TOLERANCE = 1e-6;

function positionalNames(count: number): string[] {
  if (count === 2) return ["train", "val"];
  if (count === 3) return ["train", "val", "test"];
  return Array.from({ length: count }, (_, i) => `split-${i + 1}`);
}

/**
 * Parses `train=0.8,val=0.1,test=0.1` or `0.8,0.1,0.1` (2 values name train,val; 3 values
 * train,val,test). Throws RangeError when a value is not a share, a name repeats or the sum is not 1.
 * @example parseSplitRatios("0.7,0.2,0.1") // [{name:"train",ratio:0.7},{name:"val",ratio:0.2},{name:"test",ratio:0.1}]
 */
export function parseSplitRatios(text: string): SplitRatio[] {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length < 2 || parts.some((p) => p === "")) {
    throw new RangeError(
      `Cannot parse split ratios "${text}": give at least two comma-separated shares, e.g. train=0.8,val=0.1,test=0.1`,
    );
  }
  const named = parts.map((p) => p.includes("="));
  if (named.some((n) => n) && !named.every((n) => n)) {
    throw new RangeError(
      `Cannot parse split ratios "${text}": name either every share (train=0.8,...) or none (0.8,0.1,0.1)`,
    );
  }
  const names =
    named[0] === true
      ? parts.map((p) => p.slice(0, p.indexOf("=")).trim())
      : positionalNames(parts.length);
  const ratios = parts.map((p, i) => {
    const raw = named[0] === true ? p.slice(p.indexOf("=") + 1).trim() : p;
    const value = Number(raw);
    if (raw === "" || !Number.isFinite(value)) {
      throw new RangeError(
        `Cannot parse split ratios "${text}": "${raw}" for ${names[i] ?? "?"} is not a number`,
      );
    }
    return { name: names[i] ?? "", ratio: value };
  });
  return validateSplitRatios(ratios, text);
}

/**
 * Checks that every share is in (0, 1], names are unique and file-safe, and the shares sum to 1.
 * @example validateSplitRatios([{ name: "train", ratio: 0.9 }, { name: "test", ratio: 0.1 }])
 */
export function validateSplitRatios(ratios: readonly SplitRatio[], source?: string): SplitRatio[] {
  const what = source === undefined ? "split ratios" : `split ratios "${source}"`;
  if (ratios.length < 1) throw new RangeError(`Cannot use ${what}: no split given`);
  const seen = new Set<string>();
  for (const { name, ratio } of ratios) {
    if (!NAME_PATTERN.test(name)) {
      throw new RangeError(
        `Cannot use ${what}: split name "${name}" must be letters, digits, "_", "-" or "." and start with a letter or digit`,
      );
    }
    if (seen.has(name))
      throw new RangeError(`Cannot use ${what}: split name "${name}" appears twice`);
    seen.add(name);
    if (!Number.isFinite(ratio) || ratio <= 0) {
      throw new RangeError(
        `Cannot use ${what}: the share of "${name}" must be above 0 and at most 1, got ${ratio}`,
      );
    }
  }
  // With every share positive, a sum of 1 also keeps each share at most 1.
  const sum = ratios.reduce((acc, r) => acc + r.ratio, 0);
  if (Math.abs(sum - 1) > SUM_TOLERANCE) {
    throw new RangeError(
      `Cannot use ${what}: the shares sum to ${Number(sum.toPrecision(12))}, not 1`,
    );
  }
  return ratios.map((r) => ({ name: r.name, ratio: r.ratio }));
}

/**
 * K equal shares named `fold-1` … `fold-K`, for k-fold cross-validation.
 * @example foldRatios(5).map((r) => r.name) // ["fold-1", …, "fold-5"]
 */
export function foldRatios(folds: number): SplitRatio[] {
  if (!Number.isInteger(folds) || folds < 2)
    throw new RangeError(
      `Cannot make folds: the number of folds must be a whole number of at least 2, got ${folds}`,
    );
  return Array.from({ length: folds }, (_, i) => ({ name: `fold-${i + 1}`, ratio: 1 / folds }));
}
