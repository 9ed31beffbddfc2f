import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type pg from "pg";
import {
  buildTrainData,
  DbSession,
  isTrainsetError,
  LX_AI_JSONL_LABELSET,
  parseTrainConfig,
  readRun,
  train,
  readLegacyJsonl,
  readPostgresTrainData,
  readTrainSamples,
  resolveDbConfig,
  splitByGroup,
  type LegacyRecord,
  type TrainData,
} from "trainset";
import { legacyStep } from "../../../kernel/src/demo/step-legacy.js";
import { runCli } from "../../support/cli.js";
import { startPostgresServer, type PostgresServer } from "../../support/postgres-server.js";
import { adminClient, createEndoregSchema, loadLegacyDataset, type LegacyDatasetIds } from "./endoreg-fixture.js";

/** Legacy records usable as a database dataset: annotated, one line per old_id. */
function datasetRecords(records: readonly LegacyRecord[]): LegacyRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    if (r.labels === null || seen.has(String(r.old_id))) return false;
    seen.add(String(r.old_id));
    return true;
  });
}

function sameData(a: TrainData, b: TrainData): void {
  assert.deepEqual(a.labels, b.labels);
  assert.deepEqual(a.images, b.images);
  assert.deepEqual(a.groups, b.groups);
  assert.deepEqual(Array.from(a.targets), Array.from(b.targets));
  assert.deepEqual(Array.from(a.masks), Array.from(b.masks));
  assert.equal(a.droppedZeroPositive, b.droppedZeroPositive);
}

describe("readPostgresTrainData() against a real PostgreSQL", function () {
  this.timeout(120_000);
  let server: PostgresServer;
  let admin: pg.Client;
  let ids: LegacyDatasetIds;
  let root: string;
  let legacyPath: string;
  let fixtureDir: string;

  before(async () => {
    server = await startPostgresServer();
    try {
      admin = await adminClient(server.url);
      await createEndoregSchema(admin);
      fixtureDir = execFileSync("mktemp", ["-d"]).toString().trim();
      root = fixtureDir;
      await legacyStep.run({ root, note: () => undefined });
      const { records } = await readLegacyJsonl(join(root, "legacy", "legacy_img_dicts.jsonl"), { mode: "strict" });
      const usable = datasetRecords(records.map((r) => r.record));
      legacyPath = join(root, "legacy", "dataset.jsonl");
      await writeFile(legacyPath, usable.map((r) => JSON.stringify(r)).join("\n") + "\n");
      ids = await loadLegacyDataset(admin, usable, LX_AI_JSONL_LABELSET.labels, join(root, "legacy", "images"));
    } catch (error) {
      await server.stop();
      throw error;
    }
  });

  after(async () => {
    await admin?.end().catch(() => undefined);
    await server?.stop();
    if (fixtureDir !== undefined) execFileSync("rm", ["-rf", fixtureDir]);
  });

  const session = async <T>(fn: (s: DbSession) => Promise<T>): Promise<T> => {
    const s = await DbSession.connect(resolveDbConfig({ url: server.url }));
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };

  it("gives the same label matrix, masks, groups and lx-ai split as the legacy JSONL file", async () => {
    const fromFile = buildTrainData(await readTrainSamples({ kind: "legacy-jsonl", path: legacyPath }), LX_AI_JSONL_LABELSET);
    const fromDb = await session((s) => readPostgresTrainData(s, ids));
    sameData(fromDb, fromFile);
    assert.ok(fromDb.images.length > 40);
    assert.equal(fromDb.missingFiles, 0);
    assert.equal(fromDb.annotationRows, fromDb.framesRead * (LX_AI_JSONL_LABELSET.labels.length + 1));
    const rows = (d: TrainData): Array<{ group: string; labels: string[] }> =>
      d.groups.map((group, i) => ({ group, labels: d.labels.filter((_, j) => (d.targets[i * d.labels.length + j] ?? 0) > 0) }));
    for (const seed of [0, 7, 42]) {
      const options = { mode: "lx-ai" as const, seed, ratios: "train=0.7,val=0.2,test=0.1" };
      assert.deepEqual(splitByGroup(rows(fromDb), options).assignments, splitByGroup(rows(fromFile), options).assignments);
    }
  });

  it("reproduces lx-ai's group split computed by Python on the database's groups", async () => {
    const data = await session((s) => readPostgresTrainData(s, ids));
    const groups = [...new Set(data.groups)];
    const script = `
import json, random, sys
groups = json.loads(sys.argv[1])
for seed in (1, 42, 1234):
    order = list(groups)
    random.Random(seed).shuffle(order)
    G = len(order); n_test = round(0.1 * G); n_val = round(0.2 * G)
    n_train = G - n_val - n_test
    print(json.dumps({g: ("train" if i < n_train else "val" if i < n_train + n_val else "test") for i, g in enumerate(order)}))
`;
    const lines = execFileSync("/usr/bin/python3", ["-c", script, JSON.stringify(groups)]).toString().trim().split("\n");
    const rows = data.groups.map((group) => ({ group, labels: [] }));
    [1, 42, 1234].forEach((seed, k) => {
      const expected = JSON.parse(lines[k] ?? "{}") as Record<string, string>;
      const got = splitByGroup(rows, { mode: "lx-ai", seed, ratios: "train=0.7,val=0.2,test=0.1" });
      assert.deepEqual(Object.fromEntries(got.groupSplits), expected);
    });
  });

  it("counts missing image files, names the first ones and drops them", async () => {
    await admin.query("UPDATE endoreg_db_frame SET relative_path = 'gone_' || relative_path WHERE id IN (SELECT id FROM endoreg_db_frame ORDER BY id LIMIT 3)");
    try {
      const data = await session((s) => readPostgresTrainData(s, ids));
      assert.equal(data.missingFiles, 3);
      assert.equal(data.missingExamples.length, 3);
      assert.match(data.missingExamples[0] ?? "", /gone_/);
      assert.equal(data.images.length, data.framesRead - data.droppedZeroPositive - 3);
    } finally {
      await admin.query("UPDATE endoreg_db_frame SET relative_path = substr(relative_path, 6) WHERE relative_path LIKE 'gone_%'");
    }
  });

  it("rejects an unknown dataset id, labelset id and labelset version, naming them", async () => {
    const fail = (patch: Partial<LegacyDatasetIds>, pattern: RegExp) =>
      assert.rejects(session((s) => readPostgresTrainData(s, { ...ids, ...patch })), (e: unknown) => isTrainsetError(e, "NOT_FOUND") && pattern.test(e.message));
    await fail({ datasetId: 999 }, /no row with id 999 in endoreg_db_aidataset/);
    await fail({ labelsetId: 999 }, /labelset 999: no row with id 999 in endoreg_db_labelset/);
    await fail({ labelsetVersion: 9 }, /labelset \d+ version 9: labelset \d+ \("lx_ai_jsonl"\) has version 2/);
  });

  it("names a missing table and a missing column", async () => {
    await admin.query("CREATE DATABASE broken");
    const broken = await adminClient(server.url.replace(/endoreg_test$/, "broken"));
    try {
      await createEndoregSchema(broken);
      await broken.query("ALTER TABLE endoreg_db_frame DROP COLUMN relative_path");
      const db = resolveDbConfig({ url: server.url.replace(/endoreg_test$/, "broken") });
      const read = async (): Promise<unknown> => {
        const s = await DbSession.connect(db);
        try {
          return await readPostgresTrainData(s, ids);
        } finally {
          await s.close();
        }
      };
      await assert.rejects(read(), (e: unknown) => isTrainsetError(e) && /column endoreg_db_frame\.relative_path is missing/.test(e.message));
      await broken.query("DROP TABLE endoreg_db_aidataset_image_annotations");
      await assert.rejects(read(), (e: unknown) => isTrainsetError(e) && /table endoreg_db_aidataset_image_annotations is missing/.test(e.message));
    } finally {
      await broken.end();
    }
  });

  it("fails clearly, without the password, when the server is unreachable or the password is wrong", async () => {
    const wrong = resolveDbConfig({ url: server.url.replace(server.password, "Wr0ng-Pass-Xy") });
    await assert.rejects(DbSession.connect(wrong), (e: unknown) => isTrainsetError(e, "DATABASE_ERROR") && /authentication failed for user "trainset"/.test(e.message) && !e.message.includes("Wr0ng-Pass-Xy"));
    const closed = resolveDbConfig({ url: server.url.replace(`:${server.port}/`, ":1/") });
    await assert.rejects(DbSession.connect(closed), (e: unknown) => isTrainsetError(e, "DATABASE_ERROR") && /unreachable \(ECONNREFUSED\)/.test(e.message) && !e.message.includes(server.password));
  });

  it("fails with a clear error when the connection is lost mid-stream", async () => {
    const s = await DbSession.connect(resolveDbConfig({ url: server.url }));
    try {
      const pid = await s.backendPid();
      let killed: Promise<unknown> | undefined;
      await assert.rejects(
        readPostgresTrainData(s, {
          ...ids,
          batchSize: 1,
          onProgress: () => {
            killed ??= admin.query("SELECT pg_terminate_backend($1)", [pid]);
          },
        }),
        (e: unknown) => isTrainsetError(e, "DATABASE_ERROR") && /Cannot read AI dataset \d+: the connection to postgres:\/\/trainset@127\.0\.0\.1:\d+\/endoreg_test was lost/.test(e.message),
      );
      await killed;
    } finally {
      await s.close();
    }
  });

  it("trains to the same metrics as the legacy JSONL file with the same seed, and keeps the password out of the run", async () => {
    const common = { backbone: { kind: "builtin" }, cache_dir: join(root, "cache"), num_epochs: 3, warmup_epochs: 1, tf_backend: "wasm", seed: 11 };
    const fromFile = await train(parseTrainConfig({ ...common, source: { kind: "legacy-jsonl", path: legacyPath }, runs_dir: join(root, "runs"), run_id: "file" }));
    const cli = await runCli(["train", "--db", server.url, "--dataset-id", String(ids.datasetId), "--labelset-id", String(ids.labelsetId), "--labelset-version", "2",
      "--backbone", "builtin", "--cache-dir", join(root, "cache"), "--epochs", "3", "--warmup-epochs", "1", "--tf-backend", "wasm", "--seed", "11", "--runs-dir", join(root, "runs"), "--run-id", "db", "--quiet"], { cwd: root });
    assert.equal(cli.code, 0, cli.stderr);
    assert.ok(!cli.stdout.includes(server.password) && !cli.stderr.includes(server.password));
    const fromDb = await readRun(join(root, "runs", "db"));
    assert.deepEqual(fromDb.meta.test_metrics_final, fromFile.meta.test_metrics_final);
    assert.deepEqual(fromDb.meta.history.train_loss, fromFile.meta.history.train_loss);
    assert.deepEqual(fromDb.meta.history.val_loss, fromFile.meta.history.val_loss);
    for (const name of await readdir(join(root, "runs", "db"))) {
      const text = await readFile(join(root, "runs", "db", name)).then((b) => b.toString("latin1"));
      assert.ok(!text.includes(server.password), `${name} holds the password`);
    }
    assert.match(JSON.stringify(fromDb.meta), /postgres:\/\/trainset@127\.0\.0\.1/);
  });

  it("reads inside a read-only transaction", async () => {
    await session(async (s) => {
      await assert.rejects(
        s.readOnly("write in a read-only transaction", (tx) => tx.query("INSERT INTO endoreg_db_label (name) VALUES ('x')")),
        (e: unknown) => isTrainsetError(e, "DATABASE_ERROR") && /read-only/.test(e.message),
      );
    });
    const count = await admin.query<{ n: string }>("SELECT count(*) AS n FROM endoreg_db_label WHERE name = 'x'");
    assert.equal(count.rows[0]?.n, "0");
  });
});
