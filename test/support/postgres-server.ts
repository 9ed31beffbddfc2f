/**
 * A throwaway PostgreSQL cluster for tests: `initdb` in a temp folder, `pg_ctl start` on a free
 * loopback port with password (scram) authentication, `pg_ctl stop` and removal afterwards. When the
 * tests run as root, the server runs as the `postgres` user (PostgreSQL refuses root).
 */
import { execFile } from "node:child_process";
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A running throwaway server. */
export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** `postgres://user:password@127.0.0.1:port/database`. */
  url: string;
  /** Stops the server and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startPostgresServer}. */
export interface StartPostgresOptions {
  /** Database created for the tests (default `endoreg_test`). */
  database?: string;
  /** Password of the superuser `trainset` (default a fixed test value). */
  password?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Looks up uid/gid of a user via `id`. */
async function idsOf(user: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run("id", ["-u", user])).stdout.trim());
  const gid = Number((await run("id", ["-g", user])).stdout.trim());
  return { uid, gid };
}

/**
 * Starts a fresh cluster; the caller must `stop()` it (use mocha's `after`).
 * @example const pg = await startPostgresServer(); try { ... } finally { await pg.stop(); }
 */
export async function startPostgresServer(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const password = options.password ?? "s3cret-Test-Pw";
  const database = options.database ?? "endoreg_test";
  const user = "trainset";
  const dir = await mkdtemp(join(tmpdir(), "trainset-pg-"));
  const data = join(dir, "data");
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? await idsOf("postgres") : undefined;
  const exec = async (cmd: string, args: string[]): Promise<string> => {
    const full = owner === undefined ? [cmd, args] as const : ["runuser", ["-u", "postgres", "--", cmd, ...args]] as const;
    const { stdout } = await run(full[0], [...full[1]], { cwd: dir, timeout: 60_000 });
    return stdout;
  };
  let started = false;
  const stop = async (): Promise<void> => {
    if (started) {
      started = false;
      await exec("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const pwFile = join(dir, "pw");
    await writeFile(pwFile, password);
    if (owner !== undefined) {
      await chown(dir, owner.uid, owner.gid);
      await chown(pwFile, owner.uid, owner.gid);
    }
    await chmod(pwFile, 0o600);
    await exec("initdb", ["-D", data, "-U", user, "--pwfile", pwFile, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync", "--locale", "C"]);
    const port = await freePort();
    const opts = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off`;
    await exec("pg_ctl", ["-D", data, "-o", opts, "-l", join(dir, "log"), "-w", "-t", "60", "start"]);
    started = true;
    const { Client } = await import("pg");
    const client = new Client({ host: "127.0.0.1", port, user, password, database: "postgres" });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${database}`);
    } finally {
      await client.end();
    }
    const url = `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
    return { host: "127.0.0.1", port, user, password, database, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
