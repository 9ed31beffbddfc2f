/**
 * `trainset bundle`: an export folder as a tar, streamed through age encryption into one file.
 * Every check runs before the output is opened; the files are read once, hashed (worker) on their
 * way into the tar, and the manifest (sizes, SHA-256, metadata, safety findings) closes it. Memory
 * stays bounded (a few 4 MiB batches in flight, files read straight into them, see sealed-writer.ts), and
 * no plaintext copy is written anywhere.
 */
import { closeSync, openSync } from "node:fs";
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
import { openSealedWriter, type SealedWriter } from "./sealed-writer.js";
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

/** Give the event loop a turn (cancellation, progress rendering) after this many bytes. */
const YIELD_EVERY = 32 << 20;

/** Reads exactly `size` bytes of `source` into the writer as tracked file `track` (one read per batch, no copy). */
async function pipeFile(source: string, size: number, writer: SealedWriter, track: number): Promise<void> {
  let fd: number;
  try {
    fd = openSync(source, "r");
  } catch (error) {
    throw ioError("read", source, error);
  }
  try {
    const n = await writer.writeFrom(fd, size, track);
    if (n < size) throw new TrainsetError("CONFLICT", `Cannot bundle "${source}": it shrank while it was being bundled (expected ${size} bytes)`, { file: source });
  } catch (error) {
    if (error instanceof TrainsetError) throw error;
    throw ioError("read", source, error);
  } finally {
    closeSync(fd);
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
  let done = 0;
  const tick = (n: number): void => {
    done += n;
    progress({ phase: "bundle", done, total, unit: "bytes" });
  };
  const writer = await openSealedWriter(target, options.sealing, { durable: options.durable === true });
  try {
    const mtime = options.now ?? new Date();
    const zeros = Buffer.alloc(512);
    let sinceYield = 0;
    for (const [i, f] of pre.files.entries()) {
      await writer.write(tarFileHeader(EXPORT_PREFIX + f.path, f.size, new Date(f.mtimeMs)));
      // The SHA-256 is computed on the worker from the very bytes that go into the tar.
      await pipeFile(f.source, f.size, writer, i);
      writer.endTrack(i);
      await writer.write(zeros.subarray(0, tarPadding(f.size)));
      tick(f.size);
      sinceYield += f.size + 512;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise<void>((res) => setImmediate(res));
        throwIfAborted(options.signal, `bundle "${dir}"`);
      }
    }
    await writer.settle();
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
    const bundleBytes = await writer.commit();
    return { out: target, files: files.length, bytes: total, bundleBytes, manifestSha256: sha256Hex(text), manifest };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
