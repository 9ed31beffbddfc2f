/**
 * `trainset unbundle` and `trainset bundle inspect`. Unbundling extracts into a temp folder beside
 * the target, verifying every file against the manifest, and renames the folder into place only
 * when all match; on a wrong key, a truncated or tampered bundle or a mismatch the temp folder is
 * removed and nothing is left behind.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { TrainsetError, ioError } from "../util/errors.js";
import { throttleProgress, type RunControl } from "../util/run-control.js";
import type { AgeOpening } from "./age-header.js";
import { BundleError } from "./bundle-error.js";
import { MANIFEST_ENTRY, type BundleManifest } from "./manifest.js";
import { ExtractWriter } from "./extract-writer.js";
import { readBundle } from "./read-bundle.js";

/** Options of {@link unbundle} and {@link inspectBundle}. */
export interface OpenBundleOptions extends RunControl {
  /** Identities and/or a passphrase. */
  opening: AgeOpening;
}

/** What {@link unbundle} extracted. */
export interface UnbundleResult {
  out: string;
  files: number;
  bytes: number;
  manifestSha256: string;
  manifest: BundleManifest;
}

/** What {@link inspectBundle} found. */
export interface InspectBundleResult {
  manifest: BundleManifest;
  manifestSha256: string;
  /** Every file was decrypted, hashed and matched the manifest. */
  verified: true;
}

async function emptyOrAbsent(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return true;
    throw ioError("unbundle into", dir, error);
  }
}

function withFile(error: unknown, file: string): unknown {
  if (error instanceof BundleError && error.file === undefined) return new BundleError(error.reason, error.detail, file);
  return error;
}

/**
 * Decrypts `bundle` and extracts its export into `out` (which must not exist or be empty).
 * @example await unbundle("video_1.tar.age", "received/video_1", { opening: { identities } });
 */
export async function unbundle(bundle: string, out: string, options: OpenBundleOptions): Promise<UnbundleResult> {
  const target = resolve(out);
  if (!(await emptyOrAbsent(target))) throw new TrainsetError("CONFLICT", `Cannot unbundle into "${out}": the folder exists and is not empty`, { file: out, field: "out" });
  const temp = join(dirname(target), `.${basename(target)}.unbundle-${process.pid}-${randomBytes(4).toString("hex")}`);
  const progress = throttleProgress(options.onProgress);
  let done = 0;
  let created = false;
  const files = new ExtractWriter();
  try {
    const result = await readBundle(bundle, {
      opening: options.opening,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      // The temp folder appears only once the key has opened the header.
      onOpened: async () => {
        await mkdir(temp, { recursive: false, mode: 0o700 }).catch(async (error: unknown) => {
          if ((error as { code?: unknown }).code !== "ENOENT") throw ioError("create", temp, error);
          await mkdir(dirname(target), { recursive: true });
          await mkdir(temp, { mode: 0o700 });
        });
        created = true;
      },
      openFile: (path) => {
        const sink = files.create(join(temp, path));
        return {
          write: async (chunk) => {
            done += chunk.length;
            progress({ phase: "unbundle", done, unit: "bytes" });
            await sink.write(chunk);
          },
          close: () => sink.close(),
        };
      },
    });
    await files.finish();
    await writeFile(join(temp, MANIFEST_ENTRY), JSON.stringify(result.manifest, null, 2) + "\n", { flag: "wx" });
    if (!(await emptyOrAbsent(target))) throw new TrainsetError("CONFLICT", `Cannot unbundle into "${out}": the folder appeared while the bundle was being opened`, { file: out });
    await rmdir(target).catch(() => undefined);
    await rename(temp, target);
    created = false;
    return { out: target, files: result.manifest.files.length, bytes: result.bytes, manifestSha256: result.manifestSha256, manifest: result.manifest };
  } catch (error) {
    throw withFile(error, bundle);
  } finally {
    // No write may land in the temp folder after it is removed.
    await files.drain();
    if (created) await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Decrypts and verifies `bundle` without writing anything, and returns its manifest.
 * @example const { manifest } = await inspectBundle("video_1.tar.age", { opening: { identities } });
 */
export async function inspectBundle(bundle: string, options: OpenBundleOptions): Promise<InspectBundleResult> {
  try {
    const result = await readBundle(bundle, { opening: options.opening, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    return { manifest: result.manifest, manifestSha256: result.manifestSha256, verified: true };
  } catch (error) {
    throw withFile(error, bundle);
  }
}
