import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BundleError, createBundle, findHeaderEnd, FileVideoSource, generateKeyFile, readBundle, readIdentityFile, STREAM_SEALED_CHUNK, type AgeOpening } from "trainset";
import { useTempDir } from "../../support/tmp.js";
import { makeExport } from "./export-fixture.js";

/** A 20 MB bundle (about 300 STREAM chunks), read from a file and from a pipe. */
describe("readBundle() on a multi-chunk bundle, from a file and from a pipe", function () {
  this.timeout(60_000);
  const tmp = useTempDir();
  let bundle: string;
  let opening: AgeOpening;
  /** Offset of the first sealed chunk. */
  let payloadStart: number;

  beforeEach(async () => {
    const made = await makeExport(tmp(), { frames: 10, frameBytes: 2_000_000 });
    const { recipient } = await generateKeyFile(join(tmp(), "key.txt"));
    opening = { identities: await readIdentityFile(join(tmp(), "key.txt")) };
    bundle = join(tmp(), "b.tar.age");
    await createBundle(made.exportDir, bundle, { sealing: { recipients: [recipient] }, source: await FileVideoSource.open(made.library) });
    payloadStart = (findHeaderEnd(await readFile(bundle)) ?? Number.NaN) + 16;
  });

  const rejectsWith = async (path: string, reason: string, detail: RegExp): Promise<void> => {
    await assert.rejects(readBundle(path, { opening }), (e: unknown) => e instanceof BundleError && e.reason === reason && detail.test(e.message));
  };

  it("reads a 20 MB bundle and verifies every file", async () => {
    const read = await readBundle(bundle, { opening });
    assert.equal(read.manifest.files.length, 11);
    assert.equal(read.bytes, read.manifest.totals.bytes);
  });

  it("names the chunk that fails authentication, deep in the payload", async () => {
    const data = await readFile(bundle);
    const chunk = 200;
    const at = payloadStart + chunk * STREAM_SEALED_CHUNK + 1234;
    data.writeUInt8(data.readUInt8(at) ^ 0x01, at);
    await writeFile(bundle, data);
    await rejectsWith(bundle, "tampered", new RegExp(`encrypted chunk ${chunk} \\(at payload byte ${chunk * STREAM_SEALED_CHUNK}\\)`));
  });

  it("says truncated for a bundle cut at a chunk boundary, and for one cut inside a chunk", async () => {
    await truncate(bundle, payloadStart + 150 * STREAM_SEALED_CHUNK);
    await rejectsWith(bundle, "truncated", /ends after encrypted chunk 149 without age's final chunk/);
    await truncate(bundle, payloadStart + 100 * STREAM_SEALED_CHUNK + 5000);
    await rejectsWith(bundle, "truncated", /last encrypted chunk \(100\) is incomplete/);
    await truncate(bundle, payloadStart);
    await rejectsWith(bundle, "truncated", /ends right after the age header/);
  });

  it("reads the same bundle from a named pipe, and says truncated for a cut one", async () => {
    const fifo = join(tmp(), "pipe");
    execFileSync("mkfifo", [fifo]);
    const feed = (source: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const cat = spawn("sh", ["-c", 'cat "$1" > "$2"', "feed", source, fifo], { stdio: "ignore" });
        cat.on("error", reject);
        cat.on("close", () => resolve());
      });
    const [piped] = await Promise.all([readBundle(fifo, { opening }), feed(bundle)]);
    const direct = await readBundle(bundle, { opening });
    assert.equal(piped.manifestSha256, direct.manifestSha256);
    await truncate(bundle, payloadStart + 150 * STREAM_SEALED_CHUNK);
    await Promise.all([rejectsWith(fifo, "truncated", /ends after encrypted chunk 149/), feed(bundle)]);
  });
});
