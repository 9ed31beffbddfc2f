import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyFile, readIdentityFile, readRecipientsFile, TrainsetError } from "trainset";
import { useTempDir } from "../../support/tmp.js";

describe("generateKeyFile()", () => {
  const tmp = useTempDir();

  it("writes an identity readable by its owner only, whose recipient age-keygen derives too", async () => {
    const path = join(tmp(), "key.txt");
    const { recipient } = await generateKeyFile(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(execFileSync("age-keygen", ["-y", path], { encoding: "utf8" }).trim(), recipient);
    assert.equal((await readIdentityFile(path)).length, 1);
  });

  it("refuses to replace an existing key unless forced", async () => {
    const path = join(tmp(), "key.txt");
    const first = await generateKeyFile(path);
    await assert.rejects(generateKeyFile(path), (e: unknown) => e instanceof TrainsetError && e.code === "CONFLICT");
    assert.notEqual((await generateKeyFile(path, { force: true })).recipient, first.recipient);
  });
});

describe("readRecipientsFile() / readIdentityFile()", () => {
  const tmp = useTempDir();

  it("reads recipients with comments and blank lines", async () => {
    const key = join(tmp(), "k.txt");
    const { recipient } = await generateKeyFile(key);
    writeFileSync(join(tmp(), "r.txt"), `# team\n\n${recipient}\n`);
    assert.deepEqual(await readRecipientsFile(join(tmp(), "r.txt")), [recipient]);
  });

  it("refuses a secret key in a recipients file without echoing it", async () => {
    const key = join(tmp(), "k.txt");
    await generateKeyFile(key);
    const secret = readFileSync(key, "utf8").split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-")) ?? "";
    writeFileSync(join(tmp(), "r.txt"), `# oops\n${secret}\n`);
    await assert.rejects(readRecipientsFile(join(tmp(), "r.txt")), (e: unknown) => e instanceof TrainsetError && e.line === 2 && !e.message.includes(secret));
  });

  it("refuses a malformed identity line without echoing it", async () => {
    writeFileSync(join(tmp(), "id.txt"), "# x\nAGE-SECRET-KEY-1notvalid!!\n");
    await assert.rejects(readIdentityFile(join(tmp(), "id.txt")), (e: unknown) => e instanceof TrainsetError && e.line === 2 && !e.message.includes("notvalid"));
  });
});
