import assert from "node:assert/strict";
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TrainsetError, createAtomicWriteStream, writeFileAtomic, writeJsonAtomic } from "trainset";
import { useTempDir } from "../../support/tmp.js";

describe("writeFileAtomic()", () => {
  const dir = useTempDir();

  it("replaces the file's content and leaves no temp file", async () => {
    const path = join(dir(), "out", "a.json");
    await writeFileAtomic(path, "one");
    await writeFileAtomic(path, "two");
    assert.equal(await readFile(path, "utf8"), "two");
    assert.deepEqual(await readdir(join(dir(), "out")), ["a.json"]);
  });

  it("writes pretty JSON with a final newline and honours the mode", async () => {
    const path = join(dir(), "secret.json");
    await writeJsonAtomic(path, { a: 1 }, { mode: 0o600 });
    assert.equal(await readFile(path, "utf8"), '{\n  "a": 1\n}\n');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it("keeps the old file when the write fails", async () => {
    const path = join(dir(), "target");
    await mkdir(path);
    await writeFile(join(path, "keep"), "x");
    await assert.rejects(writeFileAtomic(path, "new"), (e: unknown) => e instanceof TrainsetError && e.code === "IO_ERROR");
    assert.deepEqual(await readdir(path), ["keep"]);
  });
});

describe("createAtomicWriteStream()", () => {
  const dir = useTempDir();

  it("makes the target appear only on commit", async () => {
    const path = join(dir(), "t.csv");
    await writeFile(path, "old");
    const out = await createAtomicWriteStream(path);
    for (let i = 0; i < 10000; i++) await out.write(`${i}\n`);
    assert.equal(await readFile(path, "utf8"), "old");
    await out.commit();
    const text = await readFile(path, "utf8");
    assert.ok(text.startsWith("0\n1\n") && text.endsWith("9999\n"));
  });

  it("leaves the target untouched and no temp file on abort", async () => {
    const path = join(dir(), "t.csv");
    await writeFile(path, "old");
    const out = await createAtomicWriteStream(path);
    await out.write("partial");
    await out.abort();
    assert.equal(await readFile(path, "utf8"), "old");
    assert.deepEqual(await readdir(dir()), ["t.csv"]);
  });
});
