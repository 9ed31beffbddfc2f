/**
 * Reads a bundle as a stream: the age header is opened with the given identities or passphrase,
 * the payload is decrypted and authenticated chunk by chunk, and each tar entry is handed to a
 * callback as it arrives. Every file is hashed on the way; at the end the hashes are compared
 * with the manifest. Nothing here writes to disk; unbundle and inspect decide what to do with
 * the bytes.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { extract as tarExtract } from "tar-stream";
import { assertSafeRelativePath } from "../export/export-safety.js";
import { TrainsetError, errorMessage, ioError } from "../util/errors.js";
import { sha256Hex } from "../util/hashing.js";
import { throwIfAborted, type RunControl } from "../util/run-control.js";
import { MAX_HEADER_BYTES, findHeaderEnd, openAgeHeader, type AgeOpening } from "./age-header.js";
import { StreamOpener } from "./age-stream.js";
import { BundleError } from "./bundle-error.js";
import { EXPORT_PREFIX, MANIFEST_ENTRY, parseManifest, type BundleManifest, type ManifestFile } from "./manifest.js";

/** Receives one file's bytes; the reader hashes them itself. */
export interface BundleFileSink {
  write(chunk: Buffer): Promise<void> | void;
  close(): Promise<void> | void;
}

/** Options of {@link readBundle}. */
export interface ReadBundleOptions extends RunControl {
  opening: AgeOpening;
  /** Called once the key has opened the header, before any payload is read. */
  onOpened?: () => Promise<void> | void;
  /** Where a file's bytes go (default: nowhere, they are only hashed). */
  openFile?: (path: string) => Promise<BundleFileSink> | BundleFileSink;
}

/** A verified bundle's manifest. */
export interface ReadBundleResult {
  manifest: BundleManifest;
  /** SHA-256 of the manifest bytes (for the audit log). */
  manifestSha256: string;
  /** Plaintext bytes of the files. */
  bytes: number;
}

const MAX_MANIFEST_BYTES = 512 << 20;

function entryPath(name: string): string {
  return name.replace(/^(\.\/)+/, "");
}

async function* readChunks(path: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
  } catch (error) {
    throw ioError("read bundle", path, error);
  }
}

/** Compares what arrived with the manifest; throws a `mismatch` naming the first difference. */
function verify(manifest: BundleManifest, seen: Map<string, ManifestFile>): void {
  for (const f of manifest.files) {
    const got = seen.get(f.path);
    if (got === undefined) throw new BundleError("mismatch", `${f.path} is listed in the manifest but missing from the bundle`);
    if (got.size !== f.size) throw new BundleError("mismatch", `${f.path} has ${got.size} bytes, the manifest says ${f.size}`);
    if (got.sha256 !== f.sha256) throw new BundleError("mismatch", `${f.path} has SHA-256 ${got.sha256}, the manifest says ${f.sha256}`);
  }
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const path of seen.keys()) if (!listed.has(path)) throw new BundleError("mismatch", `${path} is in the bundle but not in the manifest`);
}

/**
 * Decrypts, walks and verifies a bundle; `openFile` receives each file's bytes.
 * @example const { manifest } = await readBundle("b.tar.age", { opening: { identities } });
 */
export async function readBundle(path: string, options: ReadBundleOptions): Promise<ReadBundleResult> {
  const chunks = readChunks(path);
  // 1. The header and the payload nonce.
  let head = Buffer.alloc(0);
  let headerEnd: number | undefined;
  while (headerEnd === undefined || head.length < headerEnd + 16) {
    const next = await chunks.next();
    if (next.done === true) {
      if (head.length === 0) throw new BundleError("not-age", "the file is empty");
      throw new BundleError(headerEnd === undefined ? "not-age" : "truncated", headerEnd === undefined ? "the age header never ends" : "the file ends right after the age header");
    }
    head = Buffer.concat([head, next.value]);
    headerEnd ??= findHeaderEnd(head);
    if (headerEnd === undefined && head.length > MAX_HEADER_BYTES) throw new BundleError("not-age", `the age header is longer than ${MAX_HEADER_BYTES} bytes`);
  }
  const key = await openAgeHeader(head.subarray(0, headerEnd), head.subarray(headerEnd, headerEnd + 16), options.opening);
  await options.onOpened?.();
  const opener = new StreamOpener(key);

  // 2. The tar, entry by entry.
  const tar = tarExtract();
  const seen = new Map<string, ManifestFile>();
  let manifestText: Buffer | undefined;
  let bytes = 0;
  const consume = async (): Promise<void> => {
    for await (const entry of tar) {
      const name = entryPath(entry.header.name);
      if (entry.header.type === "directory") {
        for await (const _ of entry) void _;
        continue;
      }
      if (entry.header.type !== "file" && entry.header.type !== "contiguous-file") throw new BundleError("unsafe-entry", `"${name}" is a ${entry.header.type} entry; bundles hold files and folders only`);
      if (name === MANIFEST_ENTRY) {
        if (entry.header.size > MAX_MANIFEST_BYTES) throw new BundleError("not-bundle", "the manifest is implausibly large");
        const parts: Buffer[] = [];
        for await (const part of entry) parts.push(part as Buffer);
        manifestText = Buffer.concat(parts);
        continue;
      }
      if (!name.startsWith(EXPORT_PREFIX)) throw new BundleError("mismatch", `"${name}" is outside ${EXPORT_PREFIX} and is not the manifest`);
      const rel = name.slice(EXPORT_PREFIX.length);
      try {
        assertSafeRelativePath(rel, "tar entry");
      } catch {
        throw new BundleError("unsafe-entry", `"${name}" would escape the output folder`);
      }
      if (seen.has(rel)) throw new BundleError("mismatch", `${rel} appears twice in the bundle`);
      const sink = await options.openFile?.(rel);
      const hash = createHash("sha256");
      let size = 0;
      for await (const part of entry) {
        const buf = part as Buffer;
        hash.update(buf);
        size += buf.length;
        await sink?.write(buf);
      }
      await sink?.close();
      bytes += size;
      seen.set(rel, { path: rel, size, sha256: hash.digest("hex") });
      throwIfAborted(options.signal, `open bundle "${path}"`);
    }
  };
  let failure: unknown;
  const consumer = consume().catch((error: unknown) => {
    failure ??= error;
    tar.destroy();
  });
  const failed = consumer.then(() => undefined);
  const feed = async (plain: Buffer): Promise<void> => {
    if (failure !== undefined || plain.length === 0) return;
    if (!tar.write(plain)) await Promise.race([once(tar, "drain"), failed]);
  };
  const start = head.subarray(headerEnd + 16);
  try {
    for (const plain of opener.push(start)) await feed(plain);
    for (;;) {
      const next = await chunks.next();
      if (next.done === true) break;
      const chunk = next.value;
      for (const plain of opener.push(chunk)) await feed(plain);
      if (failure !== undefined) break;
    }
    if (failure === undefined) {
      await feed(opener.end());
      tar.end(undefined);
    }
  } catch (error) {
    failure ??= error;
    tar.destroy();
  } finally {
    key.fill(0);
    await chunks.return(undefined);
  }
  await consumer;
  if (failure !== undefined) {
    if (failure instanceof TrainsetError) throw failure;
    const why = errorMessage(failure);
    throw new BundleError(/unexpected end|premature/i.test(why) ? "truncated" : "not-bundle", `the decrypted tar is invalid (${why})`);
  }
  if (manifestText === undefined) throw new BundleError("not-bundle", `it has no ${MANIFEST_ENTRY}; it is not a trainset bundle`);
  let manifest: BundleManifest;
  try {
    manifest = parseManifest(manifestText.toString("utf8"));
  } catch (error) {
    throw new BundleError("not-bundle", errorMessage(error));
  }
  verify(manifest, seen);
  return { manifest, manifestSha256: sha256Hex(manifestText), bytes };
}
