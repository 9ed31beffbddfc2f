/**
 * Was a kept image cropped after selection? Two independent signals, both recorded: the FINAL file
 * is newer than its RAW twin by more than a threshold (the seed's rule), and/or its pixel size
 * differs. Time alone misfires both ways: `cp` without `-p` makes every copy "newer", and a crop
 * tool that preserves timestamps hides the edit; the size catches what time misses.
 */
import type { ImageProbe } from "../util/image-size.js";

/** Default threshold of the time signal, in seconds (seed 003). */
export const DEFAULT_CROP_SECONDS = 5;

/** The crop signals of one winner. */
export interface CropSignals {
  /** `crop_by_mtime || crop_by_size`. */
  was_cropped: boolean;
  /** null when a modification time could not be read. */
  crop_by_mtime: boolean | null;
  /** null when a pixel size could not be read. */
  crop_by_size: boolean | null;
}

/**
 * Compares a RAW image with its FINAL copy.
 * @example detectCrop(probeImageFileSync(raw), probeImageFileSync(final), 5).was_cropped
 */
export function detectCrop(raw: ImageProbe, final: ImageProbe, cropSeconds = DEFAULT_CROP_SECONDS): CropSignals {
  const byTime = raw.mtimeMs === null || final.mtimeMs === null ? null : final.mtimeMs - raw.mtimeMs > cropSeconds * 1000;
  const bySize =
    raw.size === null || final.size === null ? null : raw.size.width !== final.size.width || raw.size.height !== final.size.height;
  return { was_cropped: byTime === true || bySize === true, crop_by_mtime: byTime, crop_by_size: bySize };
}
