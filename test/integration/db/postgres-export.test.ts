import assert from "node:assert/strict";
import { access, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type pg from "pg";
import {
  buildAiDataset,
  DbSession,
  ensureSegmentAnnotations,
  exportAnnotated,
  FileVideoSource,
  PostgresVideoSource,
  readVideoLibrary,
  resolveDbConfig,
} from "trainset";
import { runCli } from "../../support/cli.js";
import { startPostgresServer, type PostgresServer } from "../../support/postgres-server.js";
import { useTempDir } from "../../support/tmp.js";
import { makeLibrary } from "../export/video-fixture.js";
import { adminClient, createEndoregSchema, loadVideoLibrary } from "./endoreg-fixture.js";

const NOW = "2026-01-15T09:30:00+00:00";

async function count(admin: pg.Client): Promise<number> {
  return Number((await admin.query<{ n: string }>("SELECT count(*) AS n FROM endoreg_db_imageclassificationannotation")).rows[0]?.n);
}

describe("PostgresVideoSource against a real PostgreSQL", function () {
  this.timeout(120_000);
  const tmp = useTempDir();
  let server: PostgresServer;
  let admin: pg.Client;
  let session: DbSession;
  let n = 0;

  before(async () => {
    server = await startPostgresServer();
  });
  after(async () => {
    await server?.stop();
  });

  /** A fresh database holding the same library as `<dir>/library.json`. */
  async function prepared(dir: string): Promise<{ lib: string; url: string }> {
    const lib = await makeLibrary(dir);
    const name = `lib_${++n}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = server.url.replace(/endoreg_test$/, name);
    const client = await adminClient(url);
    try {
      await createEndoregSchema(client);
      await loadVideoLibrary(client, await readVideoLibrary(lib));
    } finally {
      await client.end();
    }
    return { lib, url };
  }

  beforeEach(async () => {
    admin = await adminClient(server.url);
  });
  afterEach(async () => {
    await session?.close();
    await admin?.end();
  });

  it("ensures segment annotations like the file source, in one idempotent transaction; --dry-run writes nothing", async () => {
    const { lib, url } = await prepared(tmp());
    const db = await adminClient(url);
    try {
      session = await DbSession.connect(resolveDbConfig({ url }));
      const dry = await ensureSegmentAnnotations(await PostgresVideoSource.open(session, { videoIds: [1], mediaRoot: tmp() }), 1, { useExportFlags: true, dryRun: true });
      assert.equal(dry.annotations_needed, 35);
      assert.equal(await count(db), 0);
      const fromFile = await ensureSegmentAnnotations(await FileVideoSource.open(lib), 1, { useExportFlags: true, now: NOW });
      const fromDb = await ensureSegmentAnnotations(await PostgresVideoSource.open(session, { videoIds: [1], mediaRoot: tmp() }), 1, { useExportFlags: true, now: NOW });
      assert.deepEqual(fromDb, fromFile);
      assert.equal(await count(db), 35);
      const again = await ensureSegmentAnnotations(await PostgresVideoSource.open(session, { videoIds: [1], mediaRoot: tmp() }), 1, { useExportFlags: true, now: NOW });
      assert.equal(again.annotations_created, 0);
      assert.equal(await count(db), 35);
    } finally {
      await db.end();
    }
  });

  it("creates the manual_annotation information source in the same transaction when it is missing", async () => {
    const { url } = await prepared(tmp());
    const db = await adminClient(url);
    try {
      await db.query("DELETE FROM endoreg_db_informationsource");
      session = await DbSession.connect(resolveDbConfig({ url }));
      const dry = await ensureSegmentAnnotations(await PostgresVideoSource.open(session, { videoIds: [1], mediaRoot: tmp() }), 1, { useExportFlags: true, dryRun: true });
      assert.equal(dry.annotations_needed, 35);
      assert.equal((await db.query("SELECT * FROM endoreg_db_informationsource")).rowCount, 0, "a dry run must not create the source");
      const made = await ensureSegmentAnnotations(await PostgresVideoSource.open(session, { videoIds: [1], mediaRoot: tmp() }), 1, { useExportFlags: true });
      assert.equal(made.annotations_created, 35);
      const sources = await db.query<{ id: string; name: string }>("SELECT id, name FROM endoreg_db_informationsource");
      assert.deepEqual(sources.rows.map((r) => r.name), ["manual_annotation"]);
      const linked = await db.query<{ n: string }>("SELECT count(*) AS n FROM endoreg_db_imageclassificationannotation WHERE information_source_id = $1", [sources.rows[0]?.id]);
      assert.equal(linked.rows[0]?.n, "35");
    } finally {
      await db.end();
    }
  });

  it("exports byte-identical frame tables and the same AI dataset as the file source", async () => {
    const dir = tmp();
    const { lib, url } = await prepared(dir);
    session = await DbSession.connect(resolveDbConfig({ url }));
    await ensureSegmentAnnotations(await FileVideoSource.open(lib), 1, { useExportFlags: true, now: NOW });
    await ensureSegmentAnnotations(await PostgresVideoSource.open(session, { videoIds: [1], mediaRoot: dir }), 1, { useExportFlags: true, now: NOW });
    for (const format of ["csv", "json"] as const) {
      const payload = { video_id: 1, use_export_flags: true, export_frames: true, transcode_frames: true, output_path: `annotations.${format}` };
      await exportAnnotated(await FileVideoSource.open(lib), { ...payload, output_dir: join(dir, "out-file") });
      await exportAnnotated(await PostgresVideoSource.open(session, { videoIds: [1], mediaRoot: dir }), { ...payload, output_dir: join(dir, "out-db") });
      const a = await readFile(join(dir, "out-file", `annotations.${format}`));
      const b = await readFile(join(dir, "out-db", `annotations.${format}`));
      assert.ok(a.length > 1000);
      if (!a.equals(b)) {
        const [la, lb] = [a.toString().split("\n"), b.toString().split("\n")];
        const i = la.findIndex((line, k) => line !== lb[k]);
        assert.fail(`annotations.${format} differs at line ${i + 1}:\n${la[i] ?? ""}\n${lb[i] ?? ""}`);
      }
    }
    assert.deepEqual(await readdir(join(dir, "out-db", "frames", "video_1")), await readdir(join(dir, "out-file", "frames", "video_1")));
    const options = { datasetId: 3, name: "colo", videoIds: [1], now: NOW };
    const fromFile = buildAiDataset(await FileVideoSource.open(lib), options);
    const fromDb = buildAiDataset(await PostgresVideoSource.open(session, { videoIds: [1], mediaRoot: dir }), options);
    assert.deepEqual(fromDb, fromFile);
  });

  it("refuses a video that is not anonymization-validated before writing anything", async () => {
    const dir = tmp();
    const { url } = await prepared(dir);
    const db = await adminClient(url);
    try {
      await db.query("UPDATE endoreg_db_videostate SET anonymization_validated = false");
      session = await DbSession.connect(resolveDbConfig({ url }));
      await assert.rejects(exportAnnotated(await PostgresVideoSource.open(session, { videoIds: [1], mediaRoot: dir }), { video_id: 1, output_dir: join(dir, "out"), export_frames: true, transcode_frames: true }), /anonymi/);
      await assert.rejects(access(join(dir, "out")));
    } finally {
      await db.end();
    }
  });

  it("runs the CLI on --db, never printing the password, and fails with exit 1 and nothing written on bad input", async () => {
    const dir = tmp();
    const { url } = await prepared(dir);
    const password = server.password;
    const ok = await runCli(["ensure-segment-annotations", "--db", url, "--video-id", "1", "--media-root", dir, "--json"], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { annotations_created: number }).annotations_created, 35);
    const exported = await runCli(["export", "frames", "--db", url, "--media-root", dir, "--video-id", "1", "--output-dir", "out", "--use-export-flags", "--quiet"], { cwd: dir });
    assert.equal(exported.code, 0, exported.stderr);
    await access(join(dir, "out", "annotations.csv"));
    const env = { ...process.env, DEV_DB_HOST: "127.0.0.1", DEV_DB_PORT: String(server.port), DEV_DB_NAME: url.replace(/.*\//, ""), DEV_DB_USER: server.user, DEV_DB_PASSWORD: password };
    const viaEnv = await runCli(["ensure-segment-annotations", "--db", "env", "--video-id", "1", "--dry-run", "--json"], { cwd: dir, env });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.equal((JSON.parse(viaEnv.stdout) as { annotations_needed: number }).annotations_needed, 0);
    const bad = [
      [["export", "frames", "--db", url.replace(password, "Wr0ng-Pass-Xy"), "--video-id", "1", "--output-dir", "bad1"], /authentication failed/, "Wr0ng-Pass-Xy"],
      [["export", "frames", "--db", url.replace(`:${server.port}/`, ":1/"), "--video-id", "1", "--output-dir", "bad2"], /unreachable/, password],
      [["export", "frames", "--db", url, "--video-id", "77", "--output-dir", "bad3"], /no row with id 77 in endoreg_db_videofile/, password],
      [["train", "--db", url, "--dataset-id", "5", "--labelset-id", "1", "--labelset-version", "1", "--runs-dir", "bad4"], /no row with id 5 in endoreg_db_aidataset/, password],
    ] as const;
    for (const [argv, pattern, secret] of bad) {
      const r = await runCli([...argv], { cwd: dir });
      assert.equal(r.code, 1, `${argv.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), "the password leaked");
    }
    for (const out of ["bad1", "bad2", "bad3", "bad4"]) await assert.rejects(access(join(dir, out)));
  });
});
