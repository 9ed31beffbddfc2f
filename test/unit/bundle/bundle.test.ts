import assert from "node:assert/strict";
import { mkdir, readdir, readFile, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { existsSync, readdirSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { BundleError, createBundle, FileVideoSource, generateKeyFile, inspectBundle, openSealedWriter, readIdentityFile, TrainsetError, unbundle, type AgeOpening } from "trainset";
import { useTempDir } from "../../support/tmp.js";
import { makeExport, type MakeExportOptions } from "./export-fixture.js";

interface Setup {
  exportDir: string;
  source: FileVideoSource;
  recipient: string;
  opening: AgeOpening;
}

async function setup(dir: string, options: MakeExportOptions = {}): Promise<Setup> {
  const made = await makeExport(dir, options);
  const { recipient } = await generateKeyFile(join(dir, "key.txt"));
  return { exportDir: made.exportDir, source: await FileVideoSource.open(made.library), recipient, opening: { identities: await readIdentityFile(join(dir, "key.txt")) } };
}

async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = join(entry.parentPath, entry.name);
      out.set(full.slice(dir.length + 1), (await readFile(full)).toString("base64"));
    }
  }
  return out;
}

function refusedWith(pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => e instanceof TrainsetError && e.code === "DATA_SAFETY" && pattern.test(e.message);
}

describe("createBundle() / unbundle()", () => {
  const tmp = useTempDir();

  it("round-trips an export: every file back byte for byte, plus the manifest", async () => {
    const s = await setup(tmp(), { withVideo: true });
    const made = await createBundle(s.exportDir, join(tmp(), "b.tar.age"), { sealing: { recipients: [s.recipient] }, source: s.source });
    assert.equal(made.files, 5);
    assert.deepEqual(made.manifest.export.video_ids, [1]);
    assert.equal(made.manifest.export.counts.annotation_rows, 3);
    assert.ok(made.manifest.safety.checks.some((c) => c.name === "anonymization validated" && c.status === "pass"));
    const opened = await unbundle(join(tmp(), "b.tar.age"), join(tmp(), "out"), { opening: s.opening });
    assert.equal(opened.manifestSha256, made.manifestSha256);
    const got = await tree(join(tmp(), "out"));
    assert.ok(got.delete("trainset-manifest.json"));
    assert.deepEqual(got, await tree(s.exportDir));
  });

  it("stops when cancelled mid-stream and leaves neither the bundle nor its temp file", async () => {
    const s = await setup(tmp(), { frames: 24, frameBytes: 2_000_000 });
    const controller = new AbortController();
    const out = join(tmp(), "out", "b.tar.age");
    await assert.rejects(
      createBundle(s.exportDir, out, { sealing: { recipients: [s.recipient] }, source: s.source, signal: controller.signal, onProgress: () => controller.abort() }),
      (e: unknown) => e instanceof Error && /abort|cancel/i.test(`${e.name} ${e.message}`),
    );
    assert.deepEqual(await readdir(join(tmp(), "out")), []);
  });

  it("refuses, leaving nothing, an export whose files change while they are bundled", async () => {
    // 2 MB frames cross the 4 MiB batches, so some are read by two workers: a change in between
    // (here: new mtimes once the first batch is written) must not yield a bundle at all.
    const s = await setup(tmp(), { frames: 12, frameBytes: 2_000_000 });
    const out = join(tmp(), "out", "b.tar.age");
    let touched = false;
    const touch = (): void => {
      if (touched) return;
      touched = true;
      const later = new Date(Date.now() + 60_000);
      for (const entry of readdirSync(join(s.exportDir, "frames"), { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) utimesSync(join(entry.parentPath, entry.name), later, later);
      }
    };
    await assert.rejects(
      createBundle(s.exportDir, out, { sealing: { recipients: [s.recipient] }, source: s.source, onProgress: touch }),
      (e: unknown) => e instanceof TrainsetError && e.code === "CONFLICT" && /changed while it was being bundled/.test(e.message),
    );
    assert.ok(touched);
    assert.deepEqual(await readdir(join(tmp(), "out")), []);
  });

  it("inspects a bundle's manifest without writing anything", async () => {
    const s = await setup(tmp());
    await createBundle(s.exportDir, join(tmp(), "b.tar.age"), { sealing: { recipients: [s.recipient] }, source: s.source });
    const before = await readdir(tmp());
    const seen = await inspectBundle(join(tmp(), "b.tar.age"), { opening: s.opening });
    assert.equal(seen.manifest.files.length, 4);
    assert.equal(seen.manifest.encryption.mode, "recipients");
    assert.deepEqual(await readdir(tmp()), before);
  });

  it("round-trips in passphrase mode and refuses a wrong passphrase", async () => {
    const s = await setup(tmp());
    await createBundle(s.exportDir, join(tmp(), "p.tar.age"), { sealing: { passphrase: "correct horse battery", scryptWorkFactor: 10 }, source: s.source });
    await assert.rejects(unbundle(join(tmp(), "p.tar.age"), join(tmp(), "bad"), { opening: { passphrase: "wrong" } }), (e: unknown) => e instanceof BundleError && e.reason === "wrong-key");
    assert.equal(existsSync(join(tmp(), "bad")), false);
    const opened = await unbundle(join(tmp(), "p.tar.age"), join(tmp(), "out"), { opening: { passphrase: "correct horse battery" } });
    assert.equal(opened.manifest.encryption.mode, "passphrase");
  });

  it("bundles a symlink that stays inside the export as the file it points to", async () => {
    const s = await setup(tmp());
    await symlink("annotations.csv", join(s.exportDir, "copy.csv"));
    const made = await createBundle(s.exportDir, join(tmp(), "b.tar.age"), { sealing: { recipients: [s.recipient] }, source: s.source });
    assert.deepEqual(made.manifest.safety.symlinks, ["copy.csv"]);
  });
});

describe("createBundle() refusals", () => {
  const tmp = useTempDir();
  const out = (): string => join(tmp(), "b.tar.age");
  const nothingWritten = async (): Promise<void> => {
    assert.deepEqual((await readdir(tmp())).filter((n) => n.includes("b.tar.age")), []);
  };

  it("refuses a video that is not anonymization-validated", async () => {
    const s = await setup(tmp(), { validated: false });
    await assert.rejects(createBundle(s.exportDir, out(), { sealing: { recipients: [s.recipient] }, source: s.source }), refusedWith(/anonymization-validated/));
    await nothingWritten();
  });

  it("refuses without the video library that confirms validation", async () => {
    const s = await setup(tmp());
    await assert.rejects(createBundle(s.exportDir, out(), { sealing: { recipients: [s.recipient] } }), refusedWith(/--library/));
    await nothingWritten();
  });

  it("refuses a symlink that escapes the export folder", async () => {
    const s = await setup(tmp());
    await writeFile(join(tmp(), "secret.txt"), "outside");
    await symlink(join(tmp(), "secret.txt"), join(s.exportDir, "leak.txt"));
    await assert.rejects(createBundle(s.exportDir, out(), { sealing: { recipients: [s.recipient] }, source: s.source }), refusedWith(/leak\.txt is a symlink that escapes/));
    await nothingWritten();
  });

  it("refuses a name with a backslash or a control character, in a subfolder too", async () => {
    for (const name of ["notes\\draft.txt", "line\nbreak.txt"]) {
      const s = await setup(join(tmp(), String(name.length)));
      await mkdir(join(s.exportDir, "extra"));
      await writeFile(join(s.exportDir, "extra", name), "x");
      await assert.rejects(createBundle(s.exportDir, out(), { sealing: { recipients: [s.recipient] }, source: s.source }), refusedWith(/"extra\/.*" has a backslash or control character/));
      await nothingWritten();
    }
  });

  it("refuses an export that fails check-export (a frame file is missing)", async () => {
    const s = await setup(tmp());
    await rm(join(s.exportDir, "frames", "video_1", "frame_0000001.jpg"));
    await assert.rejects(createBundle(s.exportDir, out(), { sealing: { recipients: [s.recipient] }, source: s.source }), refusedWith(/check-export fails: frame paths/));
    await nothingWritten();
  });

  it("refuses raw media: a video that is not the processed file, a stray video, DICOM", async () => {
    const s = await setup(tmp(), { withVideo: true });
    await writeFile(join(s.exportDir, "videos", "video_1_abc123.mp4"), "raw bytes");
    await assert.rejects(createBundle(s.exportDir, out(), { sealing: { recipients: [s.recipient] }, source: s.source }), refusedWith(/may be the raw video/));
    await rm(join(s.exportDir, "videos"), { recursive: true });
    await writeFile(join(s.exportDir, "original.mov"), "raw");
    await assert.rejects(createBundle(s.exportDir, out(), { sealing: { recipients: [s.recipient] }, source: s.source }), refusedWith(/original\.mov is a video outside videos/));
    await rm(join(s.exportDir, "original.mov"));
    await writeFile(join(s.exportDir, "scan.dcm"), "raw");
    await assert.rejects(createBundle(s.exportDir, out(), { sealing: { recipients: [s.recipient] }, source: s.source }), refusedWith(/raw clinical media/));
    await nothingWritten();
  });

  it("refuses an output path inside the export folder", async () => {
    const s = await setup(tmp());
    await assert.rejects(createBundle(s.exportDir, join(s.exportDir, "b.tar.age"), { sealing: { recipients: [s.recipient] }, source: s.source }), /inside the export folder/);
  });
});

describe("unbundle() failures leave nothing behind", () => {
  const tmp = useTempDir();
  let s: Setup;
  let bundle: string;

  beforeEach(async () => {
    s = await setup(tmp(), { frames: 6, frameBytes: 100_000 });
    bundle = join(tmp(), "b.tar.age");
    await createBundle(s.exportDir, bundle, { sealing: { recipients: [s.recipient] }, source: s.source });
  });

  const failsWith = async (reason: string, opening: AgeOpening = s.opening): Promise<void> => {
    const before = (await readdir(tmp())).sort();
    await assert.rejects(unbundle(bundle, join(tmp(), "out"), { opening }), (e: unknown) => e instanceof BundleError && e.reason === reason && e.message.includes(reason) && e.file === bundle);
    assert.deepEqual((await readdir(tmp())).sort(), before, "no output folder and no temp folder remain");
  };

  it("says wrong-key for an identity that is not a recipient", async () => {
    const other = await generateKeyFile(join(tmp(), "other.txt"));
    assert.ok(other.recipient.startsWith("age1"));
    await failsWith("wrong-key", { identities: await readIdentityFile(join(tmp(), "other.txt")) });
  });

  it("says tampered for a flipped byte in the payload", async () => {
    const data = await readFile(bundle);
    const at = Math.floor(data.length / 2);
    data.writeUInt8(data.readUInt8(at) ^ 0x40, at);
    await writeFile(bundle, data);
    await failsWith("tampered");
  });

  it("says truncated for a bundle cut short", async () => {
    const size = (await readFile(bundle)).length;
    await truncate(bundle, size - 70_000);
    await failsWith("truncated");
  });

  it("says mismatch when a correctly encrypted file differs from the manifest", async () => {
    // Re-encrypt a plaintext tar whose content was changed after the manifest was made.
    const { readBundle } = await import("trainset");
    const entries: Array<{ path: string; data: Buffer }> = [];
    let manifestText = "";
    await readBundle(bundle, {
      opening: s.opening,
      openFile: (path) => {
        const parts: Buffer[] = [];
        return { write: (c: Buffer) => void parts.push(Buffer.from(c)), close: () => void entries.push({ path, data: Buffer.concat(parts) }) };
      },
    }).then((r) => (manifestText = JSON.stringify(r.manifest)));
    const { tarFileHeader, tarPadding, TAR_END } = await import("../../../kernel/src/bundle/tar-header.js");
    const forged = join(tmp(), "forged.tar.age");
    const w = await openSealedWriter(forged, { recipients: [s.recipient] });
    const put = async (name: string, data: Buffer): Promise<void> => {
      await w.write(tarFileHeader(name, data.length, new Date()));
      await w.write(data);
      await w.write(Buffer.alloc(tarPadding(data.length)));
    };
    for (const e of entries) await put(`export/${e.path}`, e.path === "annotations.csv" ? Buffer.concat([e.data, Buffer.from("x")]) : e.data);
    await put("trainset-manifest.json", Buffer.from(manifestText));
    await w.write(TAR_END);
    await w.commit();
    bundle = forged;
    await failsWith("mismatch");
  });

  it("says unsafe-entry for a tar entry that climbs out of the folder", async () => {
    const { tarFileHeader, tarPadding, TAR_END } = await import("../../../kernel/src/bundle/tar-header.js");
    const forged = join(tmp(), "evil.tar.age");
    const w = await openSealedWriter(forged, { recipients: [s.recipient] });
    const data = Buffer.from("pwned");
    await w.write(tarFileHeader("export/../../evil.txt", data.length, new Date()));
    await w.write(data);
    await w.write(Buffer.alloc(tarPadding(data.length)));
    await w.write(TAR_END);
    await w.commit();
    bundle = forged;
    await failsWith("unsafe-entry");
    assert.equal(existsSync(join(tmp(), "..", "evil.txt")), false);
  });
});
