import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import { generateKeyFile, openSealedWriter } from "trainset";
import { useTempDir } from "../../support/tmp.js";

const MIB = 1 << 20;

describe("openSealedWriter()", () => {
  const tmp = useTempDir();

  // Batches are 4 MiB and sealed on several workers at positions derived from their sequence
  // number, so sizes at and around batch and chunk edges must all decrypt with the reference CLI.
  for (const size of [0, 1, 64 * 1024, 4 * MIB, 4 * MIB + 1, 8 * MIB + 64 * 1024, 13 * MIB + 5]) {
    it(`writes ${size} bytes that age -d decrypts exactly, with the SHA-256 of the tracked bytes`, async () => {
      const key = join(tmp(), "key.txt");
      const { recipient } = await generateKeyFile(key);
      const data = randomBytes(size);
      const out = join(tmp(), "out.age");
      const w = await openSealedWriter(out, { recipients: [recipient] });
      // Uneven pieces, the first half tracked, a settle() in the middle as createBundle does.
      const half = size >> 1;
      for (let at = 0; at < half; at += 777_777) await w.write(data.subarray(at, Math.min(half, at + 777_777)), 7);
      w.endTrack(7);
      await w.settle();
      assert.equal(w.digests.get(7), createHash("sha256").update(data.subarray(0, half)).digest("hex"));
      for (let at = half; at < size; at += 1_000_003) await w.write(data.subarray(at, Math.min(size, at + 1_000_003)));
      const written = await w.commit();
      assert.equal(written, statSync(out).size);
      const plain = execFileSync("age", ["-d", "-i", key, out], { maxBuffer: 64 * MIB });
      assert.equal(plain.length, size);
      assert.ok(plain.equals(data));
    });
  }

  it("writes a durable file (fsync before the rename) that age -d decrypts", async () => {
    const key = join(tmp(), "key.txt");
    const { recipient } = await generateKeyFile(key);
    const data = randomBytes(9 * MIB + 17);
    const out = join(tmp(), "durable.age");
    const w = await openSealedWriter(out, { recipients: [recipient] }, { durable: true });
    await w.write(data);
    assert.equal(await w.commit(), statSync(out).size);
    assert.ok(execFileSync("age", ["-d", "-i", key, out], { maxBuffer: 64 * MIB }).equals(data));
  });

  it("reads tracked files straight from a file descriptor", async () => {
    const key = join(tmp(), "key.txt");
    const { recipient } = await generateKeyFile(key);
    const data = randomBytes(5 * MIB + 3);
    const src = join(tmp(), "src.bin");
    const { writeFileSync, openSync, closeSync } = await import("node:fs");
    writeFileSync(src, data);
    const out = join(tmp(), "out.age");
    const w = await openSealedWriter(out, { recipients: [recipient] });
    await w.write(Buffer.from("head"));
    const fd = openSync(src, "r");
    assert.equal(await w.writeFrom(fd, data.length + 10, 1), data.length);
    closeSync(fd);
    w.endTrack(1);
    await w.settle();
    assert.equal(w.digests.get(1), createHash("sha256").update(data).digest("hex"));
    await w.commit();
    const plain = execFileSync("age", ["-d", "-i", key, out], { maxBuffer: 64 * MIB });
    assert.ok(plain.equals(Buffer.concat([Buffer.from("head"), data])));
  });
});
