import assert from "node:assert/strict";
import { mkdir, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp, { type Sharp } from "sharp";
import { detectCrop } from "../../../kernel/src/historical/index.js";
import { parseImageSize, probeImageFileSync, readImageInfo } from "../../../kernel/src/util/image-size.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";
import { useTempDir } from "../../support/tmp.js";

const make = (width: number, height: number): Sharp => sharp({ create: { width, height, channels: 3, background: "#336699" } });

describe("parseImageSize()", () => {
  it("reads PNG, JPEG, lossy and lossless WebP headers", async () => {
    assert.deepEqual(parseImageSize(await make(37, 21).png().toBuffer()), { width: 37, height: 21, format: "png" });
    assert.deepEqual(parseImageSize(await make(37, 21).jpeg().toBuffer()), { width: 37, height: 21, format: "jpeg" });
    assert.deepEqual(parseImageSize(await make(37, 21).webp().toBuffer()), { width: 37, height: 21, format: "webp" });
    assert.deepEqual(parseImageSize(await make(37, 21).webp({ lossless: true }).toBuffer()), { width: 37, height: 21, format: "webp" });
  });

  it("reads a JPEG whose frame header comes after a large metadata segment", async () => {
    const jpeg = await make(50, 40).jpeg().toBuffer();
    const app = Buffer.alloc(4 + 60000);
    app.writeUInt16BE(0xffe2, 0);
    app.writeUInt16BE(60000 + 2, 2);
    const big = Buffer.concat([jpeg.subarray(0, 2), app, jpeg.subarray(2)]);
    assert.deepEqual(parseImageSize(big), { width: 50, height: 40, format: "jpeg" });
    assert.equal(parseImageSize(big.subarray(0, 512)), undefined);
  });

  it("returns undefined for text and for truncated headers", () => {
    assert.equal(parseImageSize(Buffer.from("this is not a PNG at all")), undefined);
    assert.equal(parseImageSize(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])), undefined);
  });
});

describe("probeImageFileSync() and readImageInfo()", () => {
  const tmp = useTempDir();

  it("reads size, byte count and modification time, and needs more than one read for a big-header JPEG", async () => {
    const jpeg = await make(50, 40).jpeg().toBuffer();
    const app = Buffer.alloc(4 + 60000);
    app.writeUInt16BE(0xffe2, 0);
    app.writeUInt16BE(60002, 2);
    const path = join(tmp(), "a.jpg");
    await writeFile(path, Buffer.concat([jpeg.subarray(0, 2), app, jpeg.subarray(2)]));
    await utimes(path, 1_700_000_000, 1_700_000_000);
    const probe = probeImageFileSync(path);
    assert.deepEqual(probe.size, { width: 50, height: 40, format: "jpeg" });
    assert.equal(probe.mtimeMs, 1_700_000_000_000);
    assert.equal(probe.error, null);
    const info = await readImageInfo(path);
    assert.deepEqual([info.width, info.height, info.bytes, info.mtimeMs], [50, 40, probe.bytes, 1_700_000_000_000]);
  });

  it("keeps the modification time of a file whose header is broken and says why", async () => {
    const path = join(tmp(), "broken.png");
    await writeFile(path, "not an image, just text long enough\n");
    const probe = probeImageFileSync(path);
    assert.equal(probe.size, null);
    assert.notEqual(probe.mtimeMs, null);
    assert.match(probe.error ?? "", /^Cannot read the image size of ".*broken\.png": it is not a PNG, JPEG or WebP file$/);
    await assert.rejects(readImageInfo(path), (e: unknown) => e instanceof TrainsetError && e.code === "PARSE_ERROR");
  });

  it("reports an empty file, a folder and a dangling link without throwing", async () => {
    await writeFile(join(tmp(), "empty.png"), "");
    await mkdir(join(tmp(), "dir.png"));
    await symlink(join(tmp(), "gone.png"), join(tmp(), "link.png"));
    assert.match(probeImageFileSync(join(tmp(), "empty.png")).error ?? "", /the file is empty/);
    assert.match(probeImageFileSync(join(tmp(), "dir.png")).error ?? "", /not a regular file/);
    const link = probeImageFileSync(join(tmp(), "link.png"));
    assert.deepEqual([link.mtimeMs, link.size], [null, null]);
    assert.match(link.error ?? "", /no such file or directory/);
    await assert.rejects(readImageInfo(join(tmp(), "link.png")), (e: unknown) => e instanceof TrainsetError && e.code === "NOT_FOUND");
  });
});

describe("detectCrop()", () => {
  const probe = (mtimeMs: number | null, width?: number): Parameters<typeof detectCrop>[0] => ({
    mtimeMs,
    bytes: 1,
    size: width === undefined ? null : { width, height: 10, format: "png" },
    error: null,
  });

  it("flags a FINAL copy newer by more than the threshold, and only then", () => {
    assert.deepEqual(detectCrop(probe(0, 10), probe(5001, 10), 5), { was_cropped: true, crop_by_mtime: true, crop_by_size: false });
    assert.deepEqual(detectCrop(probe(0, 10), probe(5000, 10), 5), { was_cropped: false, crop_by_mtime: false, crop_by_size: false });
    assert.deepEqual(detectCrop(probe(0, 10), probe(5001, 10), 10).crop_by_mtime, false);
  });

  it("flags a different pixel size even when the times match", () => {
    assert.deepEqual(detectCrop(probe(0, 10), probe(0, 9)), { was_cropped: true, crop_by_mtime: false, crop_by_size: true });
  });

  it("leaves a signal null when its input is unknown", () => {
    assert.deepEqual(detectCrop(probe(null, 10), probe(0)), { was_cropped: false, crop_by_mtime: null, crop_by_size: null });
    assert.deepEqual(detectCrop(probe(0), probe(9000)), { was_cropped: true, crop_by_mtime: true, crop_by_size: null });
  });
});
