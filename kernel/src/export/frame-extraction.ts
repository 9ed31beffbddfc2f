/**
 * Exact frame extraction with ffmpeg (via fluent-ffmpeg): the requested frame numbers, and only
 * those, are decoded with `select=between(n,S,E)` and `-vsync 0`, so the k-th image written is the
 * k-th requested frame. Like endoreg-db's newest exporter, `transcode_fps` does not resample: a
 * file named after frame n (or its frame id) always holds decoded frame n, whose timestamp is
 * n / the video's real fps.
 */
import { randomBytes } from "node:crypto";
import { access, mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import ffmpeg from "fluent-ffmpeg";
import { TrainsetError } from "../util/errors.js";
import { throwIfAborted, type RunControl } from "../util/run-control.js";
import { locateFfmpeg } from "./ffmpeg-binary.js";

/** Image types ffmpeg writes for frames. */
export type FrameImageExt = "jpg" | "png";

/** Options of {@link extractFrames}. */
export interface ExtractFramesOptions extends RunControl {
  /** Output image type (default jpg). */
  ext?: FrameImageExt;
  /** `-qscale:v` for JPG, 1 (best) … 31 (default 2). */
  quality?: number;
  /** File name (without folder) of frame n; default `frame_%07d.<ext>`. */
  fileName?: (frameNumber: number) => string;
  /** Frames per ffmpeg run; each run's files land atomically (default 1000). */
  batchSize?: number;
}

/** What {@link extractFrames} did. */
export interface ExtractFramesResult {
  extracted: number;
  /** Frames whose file already existed (a rerun after an interruption). */
  skipped: number;
  /** The exact ffmpeg arguments of the last run (for logs and tests). */
  lastArgs: string[];
}

/** The timestamp (seconds) of frame n of a video with the given fps: n / fps. */
export function frameTimestamp(frameNumber: number, fps: number): number {
  return frameNumber / fps;
}

/** Merges sorted frame numbers into inclusive ranges [start, end]. */
export function frameRanges(frames: readonly number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const n of frames) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && n === last[1] + 1) last[1] = n;
    else ranges.push([n, n]);
  }
  return ranges;
}

/** The `select` filter that keeps exactly the given frames. */
export function selectFilter(frames: readonly number[]): string {
  return `select=${frameRanges(frames).map(([s, e]) => `between(n\\,${s}\\,${e})`).join("+")}`;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function runFfmpeg(binary: string, input: string, outputPattern: string, args: string[], control: RunControl, onFrames: (n: number) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const command = ffmpeg(input).setFfmpegPath(binary).inputOptions(["-nostdin"]).outputOptions(args).output(outputPattern);
    const onAbort = (): void => {
      command.kill("SIGKILL");
    };
    control.signal?.addEventListener("abort", onAbort, { once: true });
    command
      .on("progress", (p: { frames?: number }) => {
        if (typeof p.frames === "number") onFrames(p.frames);
      })
      .on("end", () => {
        control.signal?.removeEventListener("abort", onAbort);
        resolvePromise();
      })
      .on("error", (error: Error, _stdout: string | null, stderr: string | null) => {
        control.signal?.removeEventListener("abort", onAbort);
        if (control.signal?.aborted === true) reject(new TrainsetError("ABORTED", `Cannot extract frames from "${input}": it was cancelled`, { cause: error }));
        else reject(new TrainsetError("EXTERNAL_TOOL_FAILED", `Cannot extract frames from "${input}": ffmpeg failed: ${(stderr ?? error.message).trim().split("\n").slice(-3).join(" / ")}`, { cause: error }));
      })
      .run();
  });
}

/**
 * Writes the given frames of a video as images into `outDir`, resuming where files exist.
 * @example await extractFrames("v.mp4", [0, 1, 2], "out/frames/video_1", { quality: 2 });
 */
export async function extractFrames(videoPath: string, frameNumbers: readonly number[], outDir: string, options: ExtractFramesOptions = {}): Promise<ExtractFramesResult> {
  const ext = options.ext ?? "jpg";
  const quality = options.quality ?? 2;
  if (!Number.isInteger(quality) || quality < 1 || quality > 31) throw new RangeError(`Cannot extract frames: quality must be a whole number 1..31, got ${quality}`);
  const fileName = options.fileName ?? ((n: number) => `frame_${String(n).padStart(7, "0")}.${ext}`);
  const wanted = [...new Set(frameNumbers)].sort((a, b) => a - b);
  await mkdir(outDir, { recursive: true });
  const todo: number[] = [];
  for (const n of wanted) if (!(await exists(join(outDir, fileName(n))))) todo.push(n);
  const result: ExtractFramesResult = { extracted: 0, skipped: wanted.length - todo.length, lastArgs: [] };
  const total = wanted.length;
  options.onProgress?.({ phase: "extract frames", done: result.skipped, total, unit: "frames" });
  const { path: binary } = await locateFfmpeg();
  const batchSize = options.batchSize ?? 1000;
  for (let i = 0; i < todo.length; i += batchSize) {
    throwIfAborted(options.signal, `extract frames from "${videoPath}"`);
    const batch = todo.slice(i, i + batchSize);
    const temp = join(outDir, `.partial-${process.pid}-${randomBytes(4).toString("hex")}`);
    await mkdir(temp);
    try {
      const args = ["-vf", selectFilter(batch), "-vsync", "0", "-start_number", "0", ...(ext === "png" ? ["-compression_level", "0"] : ["-qscale:v", String(quality)])];
      result.lastArgs = ["-nostdin", "-i", videoPath, ...args, join(temp, `frame_%07d.${ext}`)];
      const before = result.skipped + result.extracted;
      await runFfmpeg(binary, videoPath, join(temp, `frame_%07d.${ext}`), args, options, (n) => options.onProgress?.({ phase: "extract frames", done: Math.min(total, before + n), total, unit: "frames" }));
      const files = (await readdir(temp)).filter((f) => f.endsWith(`.${ext}`)).sort();
      if (files.length !== batch.length) {
        throw new TrainsetError("EXTERNAL_TOOL_FAILED", `Cannot extract frames from "${videoPath}": asked for ${batch.length} frames (${batch[0]}..${batch[batch.length - 1]}), ffmpeg wrote ${files.length}; frame ${batch[files.length]} is missing from the video`);
      }
      for (let k = 0; k < files.length; k++) await rename(join(temp, files[k] as string), join(outDir, fileName(batch[k] as number)));
      result.extracted += batch.length;
      options.onProgress?.({ phase: "extract frames", done: result.skipped + result.extracted, total, unit: "frames" });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }
  return result;
}
