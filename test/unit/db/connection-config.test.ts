import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dbError, describeDb, isTrainsetError, parseDbUrl, redactDbUrls, redactSecret, resolveDbConfig } from "trainset";

describe("resolveDbConfig()", () => {
  it("reads lx-ai's DEV_DB_* variables, with lx-ai's defaults for the rest", () => {
    const db = resolveDbConfig({ env: { DEV_DB_HOST: "db.local", DEV_DB_PORT: "15432", DEV_DB_NAME: "endoreg_sandbox", DEV_DB_USER: "sandbox", DEV_DB_PASSWORD: "pw1" } });
    assert.deepEqual(db, { host: "db.local", port: 15432, database: "endoreg_sandbox", user: "sandbox", password: "pw1", sslmode: "disable", origin: "DEV_DB_*" });
    const defaults = resolveDbConfig({ env: {} });
    assert.equal(describeDb(defaults), "postgres://endoregDbLocal@localhost:5432/endoregDbLocal");
    assert.equal(defaults.password, undefined);
  });

  it("falls back to DJANGO_DB_* and prefers DEV_DB_* when both are set", () => {
    const env = { DJANGO_DB_HOST: "django", DJANGO_DB_USER: "dj", DEV_DB_USER: "dev", DJANGO_DB_PASSWORD: "djpw" };
    const db = resolveDbConfig({ env });
    assert.equal(db.host, "django");
    assert.equal(db.user, "dev");
    assert.equal(db.password, "djpw");
    assert.equal(db.origin, "DJANGO_DB_*");
  });

  it("reads the password from DEV_DB_PASSWORD_FILE (trimmed) and names an unreadable one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "trainset-db-"));
    try {
      const file = join(dir, "secret");
      await writeFile(file, "from-file-pw\n");
      assert.equal(resolveDbConfig({ env: { DEV_DB_PASSWORD_FILE: file } }).password, "from-file-pw");
      assert.equal(resolveDbConfig({ env: { DEV_DB_PASSWORD: "direct", DEV_DB_PASSWORD_FILE: file } }).password, "direct");
      assert.equal(resolveDbConfig({ env: { DJANGO_DB_PASSWORD_FILE: file } }).password, "from-file-pw");
      assert.throws(() => resolveDbConfig({ env: { DEV_DB_PASSWORD_FILE: join(dir, "missing") } }), (e: unknown) => isTrainsetError(e, "IO_ERROR") && /DEV_DB_PASSWORD_FILE/.test(e.message) && /ENOENT/.test(e.message));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("takes --db over everything, and the password from the variables when the URL has none", () => {
    const env = { DEV_DB_HOST: "ignored", DEV_DB_PASSWORD: "envpw" };
    const db = resolveDbConfig({ url: "postgres://lx@10.0.0.5:6543/endoreg?sslmode=require", env });
    assert.deepEqual([db.host, db.port, db.database, db.user, db.password, db.sslmode], ["10.0.0.5", 6543, "endoreg", "lx", "envpw", "require"]);
    assert.equal(resolveDbConfig({ url: "postgresql://lx:p%40ss@h/d", env }).password, "p@ss");
  });
});

describe("parseDbUrl()", () => {
  it("rejects what is not a postgres URL with a database and a user", () => {
    assert.throws(() => parseDbUrl("mysql://a@b/c"), /expected a postgres:\/\/ URL/);
    assert.throws(() => parseDbUrl("postgres://a@b"), /names no database/);
    assert.throws(() => parseDbUrl("postgres://b/c"), /names no user/);
    assert.throws(() => parseDbUrl("postgres://a@b:99999/c"), /not a postgres:\/\/user:password@host:port\/database URL/);
  });
});

describe("redaction", () => {
  it("never shows the password: descriptions, URLs in text and driver errors", () => {
    const db = parseDbUrl("postgres://lx:S3cr%2Ft@h:5432/d");
    assert.equal(db.password, "S3cr/t");
    assert.equal(describeDb(db), "postgres://lx@h:5432/d");
    assert.equal(redactSecret("a S3cr/t b S3cr%2Ft", db.password), "a *** b ***");
    assert.equal(redactDbUrls("connect postgres://lx:S3cr%2Ft@h:5432/d failed"), "connect postgres://lx:***@h:5432/d failed");
    const error = dbError("read", db, Object.assign(new Error("password S3cr/t was rejected"), { code: "XX000" }));
    assert.ok(!error.message.includes("S3cr"), error.message);
    assert.match(error.message, /^Cannot read: password \*\*\* was rejected \(SQLSTATE XX000\) at postgres:\/\/lx@h:5432\/d$/);
  });
});
