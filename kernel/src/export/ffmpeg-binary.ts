/**
 * Finds the ffmpeg to use: `TRAINSET_FFMPEG`, then a system ffmpeg on PATH, then the static
 * binary shipped by the npm package `@ffmpeg-installer/ffmpeg` (a 2018 build that works offline).
 */
import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { TrainsetError } from "../util/errors.js";

const run = promisify(execFile);

/** Where the ffmpeg in use came from. */
export type FfmpegSource = "env" | "system" | "npm";

/** A usable ffmpeg binary. */
export interface FfmpegBinary {
  path: string;
  source: FfmpegSource;
  /** The version word from `ffmpeg -version`, e.g. `5.1.6-0+deb12u1` or `4.1`. */
  version: string;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function npmFfmpegPath(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require("@ffmpeg-installer/ffmpeg") as { path: string }).path;
  } catch {
    return undefined;
  }
}

async function versionOf(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(path, ["-hide_banner", "-version"], { timeout: 15000 });
    return /ffmpeg version (\S+)/.exec(stdout)?.[1] ?? "unknown";
  } catch {
    return undefined;
  }
}

let cached: Promise<FfmpegBinary> | undefined;

/**
 * Locates a working ffmpeg (cached per process).
 * @example const { path, source, version } = await locateFfmpeg();
 */
export function locateFfmpeg(env: NodeJS.ProcessEnv = process.env): Promise<FfmpegBinary> {
  cached ??= (async () => {
    const candidates: Array<[string | undefined, FfmpegSource]> = [
      [env["TRAINSET_FFMPEG"], "env"],
      [await onPath("ffmpeg", env), "system"],
      [npmFfmpegPath(), "npm"],
    ];
    const tried: string[] = [];
    for (const [path, source] of candidates) {
      if (path === undefined || path === "") continue;
      const version = await versionOf(path);
      if (version !== undefined) return { path, source, version };
      tried.push(path);
    }
    throw new TrainsetError(
      "DEPENDENCY_MISSING",
      `Cannot find ffmpeg: none on PATH${tried.length > 0 ? ` (tried ${tried.join(", ")})` : ""} and the npm fallback @ffmpeg-installer/ffmpeg is not installed. Install it with \`apt-get install ffmpeg\` or set TRAINSET_FFMPEG`,
    );
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
