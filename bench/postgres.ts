/**
 * Bench `postgres` (issue 13): an endoreg-db AI dataset of 100k frames x 10 labels (1M annotation
 * rows) into a label matrix, side by side in one run with lx-ai's way (bench/peers/postgres_lxai.py:
 * psycopg2 `fetchall`, one dict per row, grouping by frame). Both run against the same throwaway
 * PostgreSQL 15 cluster, as separate processes under /usr/bin/time (peak RSS); both read the
 * connection from lx-ai's DEV_DB_* variables. A second trainset run on 3x the rows shows that
 * memory follows the matrix, not the rows.
 *
 * As a script (`node --conditions=trainset-source --import tsx bench/postgres.ts run DATASET
 * LABELSET VERSION`) it is the trainset side and prints its figures as JSON.
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import pg from "pg";
import { DbSession, readPostgresTrainData, resolveDbConfig } from "trainset";
import { startPostgresServer, type PostgresServer } from "../test/support/postgres-server.js";
import { ENDOREG_DDL } from "../test/integration/db/endoreg-fixture.js";
import { formatSeconds, runMeasured, SYSTEM_PYTHON, type BenchEntry, type BenchRow } from "./harness.js";

const LABELS = 10;

interface SideResult {
  rows: number;
  frames: number;
  positives: number;
  seconds: number;
}

/** Fills dataset `datasetId` with `frames` x 10 annotations (about 15 % positive) in SQL. */
async function generate(client: pg.Client, datasetId: number, frames: number, firstFrame: number): Promise<void> {
  await client.query(
    `INSERT INTO endoreg_db_frame (id, video_id, frame_number, relative_path, old_examination_id)
     SELECT i, 1 + (i - 1) / 1000, (i - 1) % 1000, 'frame_' || lpad(((i - 1) % 1000)::text, 7, '0') || '.jpg', (i - 1) / 250
     FROM generate_series($1::bigint, $2::bigint) i`,
    [firstFrame, firstFrame + frames - 1],
  );
  await client.query("INSERT INTO endoreg_db_aidataset (id, name) VALUES ($1, $2)", [datasetId, `bench ${frames}`]);
  await client.query(
    `WITH a AS (
       INSERT INTO endoreg_db_imageclassificationannotation (frame_id, label_id, value, information_source_id)
       SELECT f, l, ((f * 7919 + l * 104729) % 100) < 15, 1 FROM generate_series($1::bigint, $2::bigint) f, generate_series(1, ${LABELS}) l
       RETURNING id)
     INSERT INTO endoreg_db_aidataset_image_annotations (aidataset_id, imageclassificationannotation_id) SELECT $3, id FROM a`,
    [firstFrame, firstFrame + frames - 1, datasetId],
  );
}

async function prepare(server: PostgresServer, frames: number, bigFrames: number): Promise<void> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(ENDOREG_DDL);
    // Generated rows are consistent by construction: skip the foreign-key triggers while loading.
    await client.query("SET session_replication_role = replica");
    await client.query(`INSERT INTO endoreg_db_label (id, name) SELECT l, 'label_' || l FROM generate_series(1, ${LABELS}) l`);
    await client.query("INSERT INTO endoreg_db_labelset (id, name, version) VALUES (1, 'bench', 1)");
    await client.query(`INSERT INTO endoreg_db_labelset_labels (labelset_id, label_id) SELECT 1, l FROM generate_series(1, ${LABELS}) l`);
    await client.query("INSERT INTO endoreg_db_informationsource (id, name) VALUES (1, 'manual_annotation')");
    await client.query("INSERT INTO endoreg_db_videostate (id, anonymized) VALUES (1, true)");
    const videos = Math.ceil((frames + bigFrames) / 1000) + 1;
    await client.query(`INSERT INTO endoreg_db_videofile (id, uuid, frame_dir, state_id) SELECT v, gen_random_uuid(), '/data/frames/video_' || v, 1 FROM generate_series(1, ${videos}) v`);
    await generate(client, 1, frames, 1);
    if (bigFrames > 0) await generate(client, 2, bigFrames, frames + 1);
    await client.query("VACUUM ANALYZE");
  } finally {
    await client.end();
  }
}

/** The trainset side, in its own process. */
async function runSide(datasetId: number, labelsetId: number, version: number): Promise<void> {
  const started = performance.now();
  const session = await DbSession.connect(resolveDbConfig());
  try {
    const data = await readPostgresTrainData(session, { datasetId, labelsetId, labelsetVersion: version, checkFiles: false });
    const seconds = (performance.now() - started) / 1000;
    let positives = 0;
    for (const v of data.targets) positives += v;
    process.stdout.write(JSON.stringify({ rows: data.annotationRows, frames: data.images.length, positives, seconds } satisfies SideResult) + "\n");
  } finally {
    await session.close();
  }
}

const rate = (r: SideResult): string => `${Math.round(r.rows / r.seconds / 1000)}k rows/s`;

/** The `postgres` entry. */
export const postgresBench: BenchEntry = {
  name: "postgres",
  issue: 13,
  async run(ctx) {
    const frames = ctx.quick ? 10_000 : 100_000;
    const bigFrames = ctx.quick ? 0 : 300_000;
    const server = await startPostgresServer({ database: "endoreg_bench" });
    try {
      ctx.log(`postgres: generating ${frames * LABELS} annotation rows${bigFrames > 0 ? ` (+ ${bigFrames * LABELS})` : ""}`);
      await prepare(server, frames, bigFrames);
      const env = { ...process.env, DEV_DB_HOST: server.host, DEV_DB_PORT: String(server.port), DEV_DB_NAME: server.database, DEV_DB_USER: server.user, DEV_DB_PASSWORD: server.password };
      const self = fileURLToPath(import.meta.url);
      const ours = async (dataset: number): Promise<{ r: SideResult; rss: number; wall: number }> => {
        const m = await runMeasured(process.execPath, ["--conditions=trainset-source", "--import", "tsx", self, "run", String(dataset), "1", "1"], { env });
        return { r: JSON.parse(m.stdout) as SideResult, rss: m.maxRssMb, wall: m.seconds };
      };
      const peerRun = await runMeasured(SYSTEM_PYTHON, [join(fileURLToPath(new URL(".", import.meta.url)), "peers", "postgres_lxai.py"), "1", "1", "1"], { env });
      const peer = JSON.parse(peerRun.stdout) as SideResult;
      const mine = await ours(1);
      if (mine.r.rows !== peer.rows || mine.r.frames !== peer.frames || mine.r.positives !== peer.positives)
        throw new Error(`bench postgres: the two sides disagree: trainset ${JSON.stringify(mine.r)}, lx-ai ${JSON.stringify(peer)}`);
      const ratio = peer.seconds / mine.r.seconds;
      const rows: BenchRow[] = [
        {
          case: `endoreg-db AI dataset -> label matrix (${frames / 1000}k frames x ${LABELS} labels, ${mine.r.rows / 1e6}M annotation rows)`,
          trainset: `${formatSeconds(mine.r.seconds)}, ${rate(mine.r)}, peak ${Math.round(mine.rss)} MB`,
          peer: `lx-ai psycopg2 fetchall+dicts: ${formatSeconds(peer.seconds)}, ${rate(peer)}, peak ${Math.round(peerRun.maxRssMb)} MB`,
          ratio,
          goal: ">= 3x faster, bounded memory",
          met: ratio >= 3 && mine.rss < peerRun.maxRssMb,
          notes: `same matrix (${mine.r.frames} frames, ${mine.r.positives} positives); process wall incl. start: trainset ${formatSeconds(mine.wall)}, lx-ai ${formatSeconds(peerRun.seconds)}`,
        },
      ];
      if (bigFrames > 0) {
        const big = await ours(2);
        rows.push({
          case: `the same at ${big.r.rows / 1e6}M annotation rows (trainset only: memory follows the matrix)`,
          trainset: `${formatSeconds(big.r.seconds)}, ${rate(big.r)}, peak ${Math.round(big.rss)} MB`,
          peer: `lx-ai at ${mine.r.rows / 1e6}M rows: peak ${Math.round(peerRun.maxRssMb)} MB`,
          ratio: undefined,
          goal: "bounded memory",
          met: big.rss < peerRun.maxRssMb,
        });
      }
      return rows;
    } finally {
      await server.stop();
    }
  },
};

if (process.argv[2] === "run" && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runSide(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
}
