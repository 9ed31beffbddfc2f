import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExtractWriter, TrainsetError } from "trainset";
import { useTempDir } from "../../support/tmp.js";

describe("ExtractWriter", () => {
  const tmp = useTempDir();

  it("writes many files in pieces, in the background, into folders it creates", async () => {
    const w = new ExtractWriter({ maxBytesInFlight: 256 * 1024 });
    const expected = new Map<string, Buffer>();
    for (let i = 0; i < 200; i++) {
      const path = join(tmp(), "out", `d${i % 7}`, `f${i}.bin`);
      const data = randomBytes(i * 997);
      expected.set(path, data);
      const f = w.create(path);
      for (let at = 0; at < data.length; at += 10_000) await f.write(data.subarray(at, at + 10_000));
      await f.close();
    }
    await w.finish();
    for (const [path, data] of expected) {
      assert.ok(readFileSync(path).equals(data), path);
      assert.equal(statSync(path).mode & 0o777, 0o644 & ~process.umask());
    }
    assert.equal(readdirSync(join(tmp(), "out")).length, 7);
  });

  it("refuses to replace a file that exists, naming it, and drains all others", async () => {
    const existing = join(tmp(), "taken.bin");
    writeFileSync(existing, "keep me");
    const w = new ExtractWriter();
    const other = w.create(join(tmp(), "other.bin"));
    await other.write(randomBytes(1000));
    const taken = w.create(existing);
    await taken.write(Buffer.from("overwrite"));
    await assert.rejects(w.finish(), (e: unknown) => e instanceof TrainsetError && e.file === existing && /Cannot create/.test(e.message));
    await w.drain();
    assert.equal(readFileSync(existing, "utf8"), "keep me");
  });

  it("drains files that were never closed, so their folder can be removed", async () => {
    const w = new ExtractWriter();
    const f = w.create(join(tmp(), "open", "a.bin"));
    await f.write(randomBytes(100_000));
    await w.drain();
    assert.equal(statSync(join(tmp(), "open", "a.bin")).size, 100_000);
    await w.finish();
  });
});
