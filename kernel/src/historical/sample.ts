/**
 * A small historical project (RAW + FINAL folders) with every edge case extraction handles, made
 * with sharp: the demo shows it and the tests pin the expected figures on it.
 */
import { mkdir, symlink, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Paths of a generated sample and what each group demonstrates. */
export interface HistoricalSample {
  project: string;
  rawDir: string;
  finalDir: string;
  /** Timestamp (with RAW folder when it matters) → the edge case it shows. */
  cases: Record<string, string>;
}

type Format = "png" | "jpeg" | "webp";

/** RAW images are 64×48; "cropped by size" FINAL copies are 48×40. */
const FULL = { width: 64, height: 48 };
const CROPPED = { width: 48, height: 40 };
/** RAW files are dated 2025-07-08 06:00:00 UTC; "cropped by time" FINAL copies one hour later. */
const RAW_TIME = Date.UTC(2025, 6, 8, 6, 0, 0) / 1000;
const LATER = RAW_TIME + 3600;

function formatOf(name: string): Format {
  const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  return ext === "jpg" || ext === "jpeg" ? "jpeg" : ext === "webp" ? "webp" : "png";
}

/**
 * Writes the sample under `dir` (`dir/raw`, `dir/final`) and returns its paths.
 * @example
 * const sample = await makeHistoricalSample("/tmp/hist");
 * await extractHistorical({ projects: [{ name: sample.project, rawDir: sample.rawDir, finalDir: sample.finalDir }] });
 */
export async function makeHistoricalSample(dir: string): Promise<HistoricalSample> {
  const { default: sharp } = await import("sharp");
  const rawDir = join(dir, "raw");
  const finalDir = join(dir, "final");
  let colour = 0;
  const image = async (path: string, size = FULL, mtime = RAW_TIME): Promise<void> => {
    colour = (colour + 37) % 256;
    const base = sharp({ create: { ...size, channels: 3, background: { r: colour, g: 255 - colour, b: (colour * 7) % 256 } } });
    const format = formatOf(path);
    const bytes = await (format === "jpeg" ? base.jpeg() : format === "webp" ? base.webp() : base.png()).toBuffer();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    await utimes(path, mtime, mtime);
  };
  const raw = (rel: string): Promise<void> => image(join(rawDir, rel));
  const final = (rel: string, size = FULL, mtime = RAW_TIME): Promise<void> => image(join(finalDir, rel), size, mtime);
  const text = async (path: string, body: string): Promise<void> => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  };

  // Flat group, every name variant; stage 2 kept while stage 3 exists (an anomaly); not cropped.
  for (const n of ["stage1.png", "stage1.5.jpg", "stage2_upscaled.png", "stage3_enhanced.webp"]) await raw(`20250708_060711_${n}`);
  await final("portraits/20250708_060711_stage2_upscaled.png");
  // Nested group, kept image cropped by both signals; a second copy of it in FINAL is a duplicate.
  for (const n of ["stage1.png", "stage2.png"]) await raw(`batch_a/20250708_070000_${n}`);
  await final("batch_a/20250708_070000_stage2.png", CROPPED, LATER);
  await final("extra/20250708_070000_stage2.png", CROPPED, LATER);
  // The same timestamp in two RAW folders: FINAL's folder says batch_b; batch_a is rejected. Cropped by time only.
  for (const d of ["batch_a", "batch_b"]) for (const n of ["stage1.png", "stage2.png"]) await raw(`${d}/20250708_080000_${n}`);
  await final("batch_b/20250708_080000_stage1.png", FULL, LATER);
  // Same again, but FINAL sits at its root: ambiguous, the first folder is used. Cropped by size only.
  for (const d of ["batch_a", "batch_b"]) for (const n of ["stage1.png", "stage2.png"]) await raw(`${d}/20250708_081500_${n}`);
  await final("20250708_081500_stage2.png", CROPPED, RAW_TIME);
  // Rejected group (nothing kept), with a .jpeg stage.
  for (const n of ["stage1.png", "stage2.png", "stage3.jpeg"]) await raw(`20250708_090000_${n}`);
  // Single-image groups, one kept and one not: no choice was made.
  await raw("batch_b/20250708_100000_stage2.png");
  await final("batch_b/20250708_100000_stage2.png");
  await raw("20250708_101500_stage1.png");
  // Multi-select: stages 1 and 3 both kept.
  for (const n of ["stage1.png", "stage2.png", "stage3.png"]) await raw(`20250708_110000_${n}`);
  await final("picks/20250708_110000_stage1.png");
  await final("picks/20250708_110000_stage3.png");
  // FINAL names a stage the RAW group does not have: the group is unresolved.
  for (const n of ["stage1.png", "stage2.png"]) await raw(`20250708_120500_${n}`);
  await final("20250708_120500_stage4.png");
  // FINAL file with no RAW group at all.
  await final("20250708_130000_stage2.png");
  // Converted on selection (PNG → upper-case .JPG): matched by stage and suffix.
  for (const n of ["stage1.png", "stage2.png"]) await raw(`20250708_140000_${n}`);
  await final("20250708_140000_stage2.JPG");
  // Unreadable: the kept RAW image is not a PNG inside, and stage 3 is a dangling link.
  await raw("20250708_150000_stage1.png");
  await text(join(rawDir, "20250708_150000_stage2.png"), "this is not a PNG\n");
  await utimes(join(rawDir, "20250708_150000_stage2.png"), RAW_TIME, RAW_TIME);
  await symlink(join(rawDir, "missing", "20250708_150000_stage3.png"), join(rawDir, "20250708_150000_stage3.png"));
  await final("20250708_150000_stage2.png", FULL, LATER);
  await symlink(join(finalDir, "missing.png"), join(finalDir, "20250708_180000_stage2.png"));
  // Names that do not parse, other files, empty folders, a folder named like an image.
  for (const n of ["IMG_1234.png", "20250708_060711_final.png", "20251340_250000_stage1.png", "20250708_060711_stage2 (1).png"]) await raw(n);
  await final("cover.jpg");
  await text(join(rawDir, "notes.txt"), "selection notes\n");
  await text(join(finalDir, ".DS_Store"), "");
  await mkdir(join(rawDir, "empty"), { recursive: true });
  await mkdir(join(finalDir, "empty"), { recursive: true });
  await mkdir(join(rawDir, "20250708_160000_stage1.png"), { recursive: true });

  return {
    project: "sample",
    rawDir,
    finalDir,
    cases: {
      "20250708_060711": "flat group with stage1, stage1.5 (.jpg), stage2_upscaled, stage3_enhanced (.webp); stage 2 kept: anomaly",
      "batch_a/20250708_070000": "nested group; kept image cropped by time and size; a duplicate copy in FINAL/extra",
      "batch_a/20250708_080000": "same timestamp as batch_b: rejected",
      "batch_b/20250708_080000": "kept by FINAL/batch_b (path fit); cropped by time only; anomaly",
      "batch_a/20250708_081500": "FINAL copy at the FINAL root fits batch_a and batch_b equally: ambiguous, batch_a used; cropped by size only",
      "batch_b/20250708_081500": "rejected (the ambiguous FINAL file went to batch_a)",
      "20250708_090000": "rejected group (nothing kept)",
      "batch_b/20250708_100000": "single image, kept: skipped",
      "20250708_101500": "single image, not kept: skipped",
      "20250708_110000": "multi-select: stages 1 and 3 kept",
      "20250708_120500": "FINAL has stage 4, RAW only 1 and 2: unresolved",
      "20250708_130000": "FINAL file without RAW group: orphan",
      "20250708_140000": "kept image converted to .JPG: matched by stage",
      "20250708_150000": "kept RAW image is not a PNG inside (unreadable header); stage 3 is a dangling link",
      "20250708_180000": "dangling link in FINAL: unreadable",
    },
  };
}
