/**
 * One connection to an endoreg-db database: read-only transactions (`BEGIN READ ONLY`, repeatable
 * read, so a whole export or load sees one snapshot), one write transaction for the commands that
 * write, and server-side cursors (pg-cursor) so large results stream in bounded memory. Every
 * failure becomes a TrainsetError `DATABASE_ERROR` whose message never holds the password.
 */
import pg from "pg";
import Cursor from "pg-cursor";
import { TrainsetError } from "../util/errors.js";
import { describeDb, redactDbUrls, redactSecret, type DbConfig } from "./connection-config.js";

/** A value bound to a `$n` parameter. */
export type SqlParam = string | number | boolean | null | readonly unknown[];

/** Queries inside one transaction. */
export interface DbTx {
  /** Runs a query and returns its rows (small results only). */
  query<R extends object>(sql: string, params?: readonly SqlParam[]): Promise<R[]>;
  /** Streams a query through a server-side cursor, `batchSize` rows at a time, as arrays. */
  stream(sql: string, params: readonly SqlParam[], onBatch: (rows: unknown[][]) => void, options?: { batchSize?: number }): Promise<number>;
}

function pgCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const LOST_CODES = new Set(["57P01", "57P02", "57P03", "08000", "08003", "08006", "ECONNRESET", "EPIPE"]);

/**
 * Turns a driver error into a TrainsetError that names the action and the database, without the
 * password. TrainsetErrors pass through (redacted).
 * @example throw dbError("read AI dataset 7", db, error);
 */
export function dbError(action: string, db: DbConfig, error: unknown): TrainsetError {
  const where = describeDb(db);
  const clean = (text: string): string => redactDbUrls(redactSecret(text, db.password));
  if (error instanceof TrainsetError) {
    if (db.password === undefined || !error.message.includes(db.password)) return error;
    return new TrainsetError(error.code, clean(error.message), { ...(error.field === undefined ? {} : { field: error.field }) });
  }
  const code = pgCode(error);
  const detail = clean(messageOf(error));
  let what: string;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH" || code === "ETIMEDOUT" || code === "EAI_AGAIN") {
    what = `the server at ${where} is unreachable (${code})`;
  } else if (code === "28P01" || code === "28000") {
    what = `authentication failed for user "${db.user}" at ${where} (check DEV_DB_PASSWORD / DEV_DB_PASSWORD_FILE or the URL)`;
  } else if (/password must be a string|SASL|password authentication/i.test(detail)) {
    what = `authentication failed for user "${db.user}" at ${where}: the server asks for a password and none was given (set DEV_DB_PASSWORD or DEV_DB_PASSWORD_FILE)`;
  } else if (code === "3D000") {
    what = `the database does not exist at ${where}`;
  } else if ((code !== undefined && LOST_CODES.has(code)) || /terminat|Connection terminated|connection.*(closed|lost)/i.test(detail)) {
    what = `the connection to ${where} was lost (${detail})`;
  } else if (code === "25006") {
    what = `the transaction is read-only at ${where} (${detail})`;
  } else {
    what = `${detail}${code === undefined ? "" : ` (SQLSTATE ${code})`} at ${where}`;
  }
  return new TrainsetError("DATABASE_ERROR", `Cannot ${action}: ${what}`, { field: where });
}

/** An open connection; `close()` it when done. */
export class DbSession {
  private lastError: unknown;

  private constructor(
    readonly db: DbConfig,
    private readonly client: pg.Client,
  ) {
    // A backend killed while idle emits `error` on the client; keep it for the next call.
    client.on("error", (error: unknown) => {
      this.lastError = error;
    });
  }

  /**
   * Connects (fails fast with a clear message when the server is unreachable or refuses us).
   * @example const session = await DbSession.connect(resolveDbConfig()); try { ... } finally { await session.close(); }
   */
  static async connect(db: DbConfig, options: { applicationName?: string; connectTimeoutMs?: number } = {}): Promise<DbSession> {
    const client = new pg.Client({
      host: db.host,
      port: db.port,
      database: db.database,
      user: db.user,
      ...(db.password === undefined ? {} : { password: db.password }),
      ssl: db.sslmode === "disable" ? false : { rejectUnauthorized: db.sslmode === "verify-full" || db.sslmode === "verify-ca" },
      application_name: options.applicationName ?? "trainset",
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    });
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw dbError(`connect to ${describeDb(db)}`, db, error);
    }
    return new DbSession(db, client);
  }

  /** The backend's process id (tests use it to cut the connection). */
  async backendPid(): Promise<number> {
    const r = await this.client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    return r.rows[0]?.pid ?? 0;
  }

  private tx(): DbTx {
    return {
      query: async <R extends object>(sql: string, params: readonly SqlParam[] = []): Promise<R[]> => {
        const r = await this.client.query<R>(sql, params as unknown[]);
        return r.rows;
      },
      stream: async (sql, params, onBatch, options = {}) => {
        const batchSize = options.batchSize ?? 10_000;
        const cursor = this.client.query(new Cursor(sql, params as unknown[], { rowMode: "array" }));
        let total = 0;
        for (;;) {
          // A failed read leaves the cursor unclosed on purpose: on a lost connection closing it
          // would wait forever for the server.
          const rows = (await cursor.read(batchSize)) as unknown[][];
          if (rows.length === 0) break;
          total += rows.length;
          try {
            onBatch(rows);
          } catch (error) {
            await cursor.close().catch(() => undefined);
            throw error;
          }
        }
        await cursor.close();
        return total;
      },
    };
  }

  private async inTransaction<T>(begin: string, action: string, fn: (tx: DbTx) => Promise<T>): Promise<T> {
    if (this.lastError !== undefined) throw dbError(action, this.db, this.lastError);
    try {
      await this.client.query(begin);
      const value = await fn(this.tx());
      await this.client.query("COMMIT");
      return value;
    } catch (error) {
      await this.client.query("ROLLBACK").catch(() => undefined);
      throw dbError(action, this.db, error);
    }
  }

  /**
   * Runs `fn` in a read-only, repeatable-read transaction: nothing can be written through it.
   * @example const n = await session.readOnly("count frames", (tx) => tx.query("SELECT count(*) FROM endoreg_db_frame"));
   */
  readOnly<T>(action: string, fn: (tx: DbTx) => Promise<T>): Promise<T> {
    return this.inTransaction("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", action, fn);
  }

  /** Runs `fn` in one read-write transaction: all of it is committed, or none. */
  write<T>(action: string, fn: (tx: DbTx) => Promise<T>): Promise<T> {
    return this.inTransaction("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ WRITE", action, fn);
  }

  /** Closes the connection (never throws). */
  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/**
 * Connects, runs `fn`, and always closes.
 * @example const data = await withDb(db, (s) => readPostgresTrainData(s, { datasetId: 1 }));
 */
export async function withDb<T>(db: DbConfig, fn: (session: DbSession) => Promise<T>): Promise<T> {
  const session = await DbSession.connect(db);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
