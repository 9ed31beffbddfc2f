import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../../support/cli.js";
import { useTempDir } from "../../support/tmp.js";
import { makeExport } from "../../unit/bundle/export-fixture.js";

function sh(script: string, cwd: string): string {
  return execFileSync("bash", ["-c", `set -euo pipefail; ${script}`], { cwd, encoding: "utf8" });
}

describe("trainset bundle / unbundle / keygen (CLI, with Debian's age)", () => {
  const tmp = useTempDir();

  it("keygen writes a 0600 identity, prints only the public key, and age-keygen agrees", async () => {
    const run = await runCli(["keygen", "--out", "key.txt", "--json"], { cwd: tmp() });
    assert.equal(run.code, 0, run.stderr);
    const { recipient } = JSON.parse(run.stdout) as { recipient: string };
    assert.equal((await stat(join(tmp(), "key.txt"))).mode & 0o777, 0o600);
    assert.equal(sh("age-keygen -y key.txt", tmp()).trim(), recipient);
    assert.ok(!`${run.stdout}${run.stderr}`.includes("AGE-SECRET-KEY"));
  });

  it("makes a bundle that `age -d -i key | tar -x` opens, and audits it without secrets", async () => {
    const made = await makeExport(tmp(), { withVideo: true });
    const key = (await runCli(["keygen", "--out", "key.txt"], { cwd: tmp() })).stdout.replace("Public key: ", "").trim();
    const run = await runCli(["bundle", made.exportDir, "--out", "b.tar.age", "--recipient", key, "--library", made.library, "--store", "store", "--json"], { cwd: tmp() });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { manifest_sha256: string; files: number };
    sh("mkdir x && age -d -i key.txt b.tar.age | tar -x -C x", tmp());
    assert.equal(sh("cd x && sha256sum trainset-manifest.json", tmp()).split(" ")[0], result.manifest_sha256);
    assert.equal(sh("diff -r export x/export && echo same", tmp()).trim(), "same");
    const manifest = JSON.parse(await readFile(join(tmp(), "x", "trainset-manifest.json"), "utf8")) as { files: Array<{ path: string; sha256: string }> };
    for (const f of manifest.files) assert.equal(sh(`sha256sum "x/export/${f.path}"`, tmp()).split(" ")[0], f.sha256);
    const audit = await readFile(join(tmp(), "store", "audit.jsonl"), "utf8");
    const entry = JSON.parse(audit.trim()) as { action: string; outcome: string; user: string; at: string; details: { recipients: string[]; manifestSha256: string } };
    assert.equal(entry.action, "bundle-create");
    assert.equal(entry.outcome, "success");
    assert.deepEqual(entry.details.recipients, [key]);
    assert.equal(entry.details.manifestSha256, result.manifest_sha256);
    assert.ok(!audit.includes("AGE-SECRET-KEY"));
  });

  it("unbundles a tar that GNU tar made and `age -r` encrypted, and verifies it", async () => {
    const made = await makeExport(tmp());
    const key = (await runCli(["keygen", "--out", "key.txt"], { cwd: tmp() })).stdout.replace("Public key: ", "").trim();
    assert.equal((await runCli(["bundle", made.exportDir, "--out", "b.tar.age", "--recipient", key, "--library", made.library, "--store", "store"], { cwd: tmp() })).code, 0);
    // Re-pack with GNU tar (directory entries, ./ prefixes, its own order) and encrypt with age.
    sh(`mkdir x && age -d -i key.txt b.tar.age | tar -x -C x && tar -c -C x . | age -r ${key} > gnu.tar.age`, tmp());
    const run = await runCli(["unbundle", "gnu.tar.age", "--identity", "key.txt", "--out", "received", "--store", "store", "--json"], { cwd: tmp() });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(sh("diff -r export received || true", tmp()).trim(), "Only in received: trainset-manifest.json");
    // The same tar with one changed byte, encrypted by age: the manifest check catches it.
    sh(`cd x && printf 'x' >> export/annotations.csv && tar -c . | age -r ${key} > ../changed.tar.age`, tmp());
    const bad = await runCli(["unbundle", "changed.tar.age", "--identity", "key.txt", "--out", "received2", "--store", "store", "--json"], { cwd: tmp() });
    assert.equal(bad.code, 1);
    assert.equal((JSON.parse(bad.stdout) as { error: { reason: string } }).error.reason, "mismatch");
    assert.ok(!(await readdir(tmp())).some((n) => n.includes("received2")));
    const opens = (await readFile(join(tmp(), "store", "audit.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { action: string; outcome: string });
    assert.deepEqual(opens.map((o) => `${o.action}:${o.outcome}`), ["bundle-create:success", "bundle-open:success", "bundle-open:failure"]);
  });

  it("bundles and unbundles with a passphrase file, and shows the manifest with bundle inspect", async () => {
    const made = await makeExport(tmp());
    await writeFile(join(tmp(), "pass.txt"), "a long team passphrase\n", { mode: 0o600 });
    const run = await runCli(["bundle", made.exportDir, "--out", "p.tar.age", "--passphrase-file", "pass.txt", "--scrypt-work-factor", "10", "--library", made.library, "--store", "store"], { cwd: tmp() });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!`${run.stdout}${run.stderr}`.includes("a long team passphrase"));
    const inspect = await runCli(["bundle", "inspect", "p.tar.age", "--passphrase-file", "pass.txt", "--store", "store", "--json"], { cwd: tmp() });
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.equal((JSON.parse(inspect.stdout) as { manifest: { encryption: { mode: string } } }).manifest.encryption.mode, "passphrase");
    assert.equal((await runCli(["unbundle", "p.tar.age", "--passphrase-file", "pass.txt", "--out", "o", "--store", "store"], { cwd: tmp() })).code, 0);
    assert.ok(!(await readFile(join(tmp(), "store", "audit.jsonl"), "utf8")).includes("a long team passphrase"));
  });

  it("refuses an unvalidated export before writing anything, with a JSON error", async () => {
    const made = await makeExport(tmp(), { validated: false });
    const key = (await runCli(["keygen", "--out", "key.txt"], { cwd: tmp() })).stdout.replace("Public key: ", "").trim();
    const run = await runCli(["bundle", made.exportDir, "--out", "b.tar.age", "--recipient", key, "--library", made.library, "--store", "store", "--json"], { cwd: tmp() });
    assert.equal(run.code, 1);
    assert.equal((JSON.parse(run.stdout) as { error: { code: string } }).error.code, "DATA_SAFETY");
    assert.ok(!(await readdir(tmp())).some((n) => n.includes("b.tar.age")));
  });

  it("refuses a passphrase on the command line: there is no such flag", async () => {
    const run = await runCli(["bundle", "export", "--out", "b.tar.age", "--passphrase", "secret"], { cwd: tmp() });
    assert.equal(run.code, 2);
  });
});
