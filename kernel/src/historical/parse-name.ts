/**
 * The file names the generation pipeline writes: `YYYYMMDD_HHMMSS_stage<N>[.<M>][_<suffix>].<ext>`,
 * e.g. `20250708_060711_stage2_upscaled.png` (seed 003, Phase 2 "Parse Filename Components").
 */

/** The parts of a generated image's file name. */
export interface ParsedImageName {
  /** `YYYYMMDD_HHMMSS`, the group key. */
  timestamp: string;
  /** Stage number; `stage1.5` gives 1.5. */
  stage: number;
  /** Text after the stage (`upscaled`, `enhanced`, anything else), or null when there is none. */
  suffix: string | null;
  /** Lower-case extension without the dot. */
  ext: string;
}

/** Image extensions scanned by default (lower case, without the dot). */
export const DEFAULT_IMAGE_EXTENSIONS: readonly string[] = ["png", "jpg", "jpeg", "webp"];

// Anchored at both ends so `..._stage2 (1).png` or `..._stage2-copy.png` are reported rather than
// silently read as stage 2 (the seed's unanchored `re.match` accepted them).
// The date and time classes reject impossible values (month 13, hour 25) in the same pass.
const NAME = /^(\d{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])_(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d|60))_stage(\d+(?:\.\d+)?)(?:_([^/\\]+?))?\.([A-Za-z0-9]+)$/i;

function validTimestamp(date: string, time: string): boolean {
  const month = Number(date.slice(4, 6));
  const day = Number(date.slice(6, 8));
  const hour = Number(time.slice(0, 2));
  const minute = Number(time.slice(2, 4));
  const second = Number(time.slice(4, 6));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60;
}

/**
 * Splits a generated image's file name into timestamp, stage, suffix and extension; undefined when
 * the name does not follow the pattern (see {@link explainUnparsedName} for why).
 * @example
 * parseImageName("20250708_060711_stage2_upscaled.png")
 * // { timestamp: "20250708_060711", stage: 2, suffix: "upscaled", ext: "png" }
 */
export function parseImageName(filename: string): ParsedImageName | undefined {
  const match = matchImageName(filename);
  if (match === null) return undefined;
  return { timestamp: match[1] ?? "", stage: Number(match[2]), suffix: match[3] ?? null, ext: (match[4] ?? "").toLowerCase() };
}

/**
 * The raw regex match behind {@link parseImageName} (groups: timestamp, stage, suffix, extension),
 * for scans that build their own records without an intermediate object.
 */
export function matchImageName(filename: string): RegExpExecArray | null {
  return NAME.exec(filename);
}

/** A short reason why {@link parseImageName} refused `filename`, for the extraction report. */
export function explainUnparsedName(filename: string): string {
  if (!/^\d{8}_\d{6}/.test(filename)) return "does not start with a YYYYMMDD_HHMMSS timestamp";
  const date = filename.slice(0, 8);
  const time = filename.slice(9, 15);
  if (!validTimestamp(date, time)) return `timestamp ${date}_${time} is not a valid date and time`;
  if (!/^\d{8}_\d{6}_stage\d/i.test(filename)) return "has no _stage<N> after the timestamp";
  return "has text after the stage number that is not an _<suffix>";
}

/** The lower-case extension of a file name without the dot ("" when there is none). */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf(".");
  return dot <= 0 ? "" : filename.slice(dot + 1).toLowerCase();
}
