/**
 * `trainset bundle`: an export folder as a tar, streamed through age encryption into one file.
 * Every check runs before the output is opened; the seal workers read the files, hash them on
 * their way into the tar, and the manifest (sizes, SHA-256, metadata, safety findings) closes it.
 * Memory stays bounded (a few 4 MiB batches in flight, see sealed-writer.ts), and no plaintext
 * copy is written anywhere.
 */
import { statSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { dirname, resolve, basename, join } from "node:path";
import type { VideoSource } from "../export/video-source.js";
import { TrainsetError, ioError } from "../util/errors.js";
import { sha256Hex } from "../util/hashing.js";
import { throttleProgress, throwIfAborted, type RunControl } from "../util/run-control.js";
import { toolVersion } from "../version.js";
import type { AgeSealing } from "./age-header.js";
import { preflightBundle } from "./bundle-preflight.js";
import { EXPORT_PREFIX, MANIFEST_ENTRY, MANIFEST_VERSION, type BundleManifest, type ManifestFile } from "./manifest.js";
import { openSealedWriter, SEAL_BATCH_BYTES } from "./sealed-writer.js";
import { TAR_END, tarFileHeader, tarPadding } from "./tar-header.js";

/** Options of {@link createBundle}. */
export interface CreateBundleOptions extends RunControl {
  /** Recipients (`age1…`) or a passphrase. */
  sealing: AgeSealing;
  /** The video library that confirms the videos' anonymisation validation (required). */
  source?: VideoSource;
  /** Annotation table inside the export (default annotations.csv, else annotations.json). */
  table?: string;
  /** Creation time recorded in the manifest (default now). */
  now?: Date;
  /** Wait until the bundle is on disk before returning (default false: see `SealedWriterOptions.durable`). */
  durable?: boolean;
}

/** What {@link createBundle} wrote. */
export interface CreateBundleResult {
  out: string;
  files: number;
  /** Plaintext bytes of the export's files. */
  bytes: number;
  /** Size of the encrypted bundle. */
  bundleBytes: number;
  /** SHA-256 of the manifest as stored in the bundle (for the audit log). */
  manifestSha256: string;
  manifest: BundleManifest;
}

/**
 * Refuses a bundle whose files changed while they were read: a file that spans batches is read
 * by more than one worker (and hashed by one of them), so a change in between could make its
 * bytes in the tar differ from its manifest digest. Files within one batch are hashed from the
 * very bytes that are sealed.
 */
function assertUnchanged(dir: string, files: ReadonlyArray<{ path: string; source: string; size: number; mtimeMs: number }>): void {
  for (const f of files) {
    let now: { size: number; mtimeMs: number };
    try {
      now = statSync(f.source);
    } catch (error) {
      throw ioError("read", f.source, error);
    }
    if (now.size !== f.size || now.mtimeMs !== f.mtimeMs) {
      throw new TrainsetError("CONFLICT", `Cannot bundle "${dir}": ${f.path} changed while it was being bundled; bundle again once nothing writes to the export`, { file: f.source });
    }
  }
}

/**
 * Bundles the export folder `dir` into the age-encrypted tar `out`.
 * @example await createBundle("export/video_1", "video_1.tar.age", { sealing: { recipients: ["age1..."] }, source });
 */
export async function createBundle(dir: string, out: string, options: CreateBundleOptions): Promise<CreateBundleResult> {
  const target = resolve(out);
  const root = await realpath(dir).catch((error: unknown) => {
    throw ioError("bundle", dir, error);
  });
  const outDir = await realpath(dirname(target)).catch(() => dirname(target));
  const outReal = join(outDir, basename(target));
  if (outReal === root || outReal.startsWith(root + "/")) {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot bundle "${dir}": the output "${out}" lies inside the export folder; write it elsewhere`, { file: out, field: "out" });
  }
  const pre = await preflightBundle(dir, { ...(options.source === undefined ? {} : { source: options.source }), ...(options.table === undefined ? {} : { table: options.table }) });
  throwIfAborted(options.signal, `bundle "${dir}"`);

  const total = pre.metadata.counts.bytes;
  const progress = throttleProgress(options.onProgress);
  /** Where each file's data ends in the tar: progress counts the files wholly written. */
  const ends: number[] = [];
  let reported = 0;
  let done = 0;
  const onWritten = (plainBytes: number): void => {
    const before = reported;
    while (reported < ends.length && (ends[reported] ?? Infinity) <= plainBytes) done += pre.files[reported++]?.size ?? 0;
    if (reported > before) progress({ phase: "bundle", done, total, unit: "bytes" });
  };
  const writer = await openSealedWriter(target, options.sealing, { durable: options.durable === true, onWritten });
  try {
    const mtime = options.now ?? new Date();
    const zeros = Buffer.alloc(512);
    const spanning: typeof pre.files = [];
    for (const [i, f] of pre.files.entries()) {
      // Planning waits on the workers (batches in flight are bounded), so this sees a cancel soon.
      throwIfAborted(options.signal, `bundle "${dir}"`);
      await writer.write(tarFileHeader(EXPORT_PREFIX + f.path, f.size, new Date(f.mtimeMs)));
      const start = writer.position;
      // Read, hashed and sealed by the workers: the SHA-256 is of the bytes that go into the tar.
      await writer.writeFile(f.source, f.size, i);
      ends.push(writer.position);
      if (f.size > 0 && Math.floor(start / SEAL_BATCH_BYTES) !== Math.floor((writer.position - 1) / SEAL_BATCH_BYTES)) spanning.push(f);
      await writer.write(zeros.subarray(0, tarPadding(f.size)));
    }
    await writer.settle();
    throwIfAborted(options.signal, `bundle "${dir}"`);
    const files: ManifestFile[] = pre.files.map((f, i) => {
      const sha256 = writer.digests.get(i);
      if (sha256 === undefined) throw new Error(`Cannot bundle "${dir}": no SHA-256 came back for ${f.path}`);
      return { path: f.path, size: f.size, sha256 };
    });
    const manifest: BundleManifest = {
      format: "trainset-bundle",
      manifest_version: MANIFEST_VERSION,
      created_at: mtime.toISOString(),
      tool: { name: "trainset", version: toolVersion() },
      encryption: "passphrase" in options.sealing ? { mode: "passphrase" } : { mode: "recipients", recipients: [...options.sealing.recipients] },
      export: pre.metadata,
      safety: pre.safety,
      files,
      totals: { files: files.length, bytes: total },
    };
    const text = Buffer.from(JSON.stringify(manifest, null, 2) + "\n");
    await writer.write(tarFileHeader(MANIFEST_ENTRY, text.length, mtime));
    await writer.write(text);
    await writer.write(zeros.subarray(0, tarPadding(text.length)));
    await writer.write(TAR_END);
    const bundleBytes = await writer.commit(() => assertUnchanged(dir, spanning));
    return { out: target, files: files.length, bytes: total, bundleBytes, manifestSha256: sha256Hex(text), manifest };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
