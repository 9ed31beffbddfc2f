import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyFile, openSealedWriter, TrainsetError } from "trainset";
import { useTempDir } from "../../support/tmp.js";

const MIB = 1 << 20;

describe("openSealedWriter()", () => {
  const tmp = useTempDir();

  // Batches are 4 MiB and sealed on several workers at positions derived from their sequence
  // number, so sizes at and around batch and chunk edges must all decrypt with the reference CLI.
  for (const size of [0, 1, 64 * 1024, 4 * MIB, 4 * MIB + 1, 8 * MIB + 64 * 1024, 13 * MIB + 5]) {
    it(`writes ${size} bytes that age -d decrypts exactly, with the SHA-256 of the tracked file`, async () => {
      const key = join(tmp(), "key.txt");
      const { recipient } = await generateKeyFile(key);
      const data = randomBytes(size);
      const out = join(tmp(), "out.age");
      const w = await openSealedWriter(out, { recipients: [recipient] });
      // A few inline bytes, then a tracked file (read by the workers) that crosses batch edges,
      // a settle() as createBundle does, then uneven inline pieces.
      const head = Math.min(size, 1000);
      const half = size >> 1;
      await w.write(data.subarray(0, head));
      const src = join(tmp(), "half.bin");
      writeFileSync(src, data.subarray(head, Math.max(head, half)));
      await w.writeFile(src, Math.max(0, half - head), 7);
      await w.settle();
      assert.equal(w.digests.get(7), createHash("sha256").update(data.subarray(head, Math.max(head, half))).digest("hex"));
      for (let at = Math.max(head, half); at < size; at += 1_000_003) await w.write(data.subarray(at, Math.min(size, at + 1_000_003)));
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

  it("hashes files that start in one batch and run on through later ones, and empty files", async () => {
    const key = join(tmp(), "key.txt");
    const { recipient } = await generateKeyFile(key);
    const files = [randomBytes(3 * MIB), randomBytes(0), randomBytes(9 * MIB + 3), randomBytes(100), randomBytes(0)];
    const out = join(tmp(), "out.age");
    const w = await openSealedWriter(out, { recipients: [recipient] });
    await w.write(Buffer.from("head"));
    for (const [i, data] of files.entries()) {
      const src = join(tmp(), `f${i}.bin`);
      writeFileSync(src, data);
      await w.writeFile(src, data.length, i);
    }
    await w.settle();
    for (const [i, data] of files.entries()) assert.equal(w.digests.get(i), createHash("sha256").update(data).digest("hex"), `file ${i}`);
    await w.commit();
    const plain = execFileSync("age", ["-d", "-i", key, out], { maxBuffer: 64 * MIB });
    assert.ok(plain.equals(Buffer.concat([Buffer.from("head"), ...files])));
  });

  it("fails with a CONFLICT naming a file that has fewer bytes than planned, and leaves no output", async () => {
    const key = join(tmp(), "key.txt");
    const { recipient } = await generateKeyFile(key);
    const src = join(tmp(), "short.bin");
    writeFileSync(src, randomBytes(5 * MIB));
    const out = join(tmp(), "out", "short.age");
    const w = await openSealedWriter(out, { recipients: [recipient] });
    await w.write(Buffer.from("head"));
    await w.writeFile(src, 6 * MIB, 0);
    await assert.rejects(
      (async () => {
        await w.settle();
        await w.commit();
      })(),
      (e: unknown) => e instanceof TrainsetError && e.code === "CONFLICT" && e.file === src && /shrank/.test(e.message),
    );
    await w.abort();
    assert.deepEqual(readdirSync(join(tmp(), "out")), []);
  });

  it("fails with a typed error naming a file that cannot be read", async () => {
    const key = join(tmp(), "key.txt");
    const { recipient } = await generateKeyFile(key);
    const missing = join(tmp(), "missing.bin");
    const w = await openSealedWriter(join(tmp(), "m.age"), { recipients: [recipient] });
    await w.writeFile(missing, 10, 0);
    await assert.rejects(w.commit(), (e: unknown) => e instanceof TrainsetError && e.code === "NOT_FOUND" && e.file === missing);
    assert.equal(existsSync(join(tmp(), "m.age")), false);
  });
});
