/** The `--db` and `--media-root` flags shared by the commands that read endoreg-db. */
import { resolve } from "node:path";
import { describeDb, rememberDbPassword, resolveDbConfig, type DbConfig } from "../db/connection-config.js";
import { DbSession } from "../db/db-session.js";
import { PostgresVideoSource } from "../db/postgres-video-source.js";
import { FileVideoSource, type VideoSource } from "../export/video-source.js";
import type { CliIo } from "./command.js";

/** parseArgs options for the database flags. */
export const DB_OPTIONS = {
  db: { type: "string" },
  "media-root": { type: "string" },
} as const;

/** Usage lines for the database flags. */
export const DB_USAGE = `  --db URL|env           read endoreg-db in place: postgres://user[:password]@host:port/name, or
                          "env" for lx-ai's DEV_DB_* / DJANGO_DB_* variables (password from
                          DEV_DB_PASSWORD or DEV_DB_PASSWORD_FILE when the URL has none)
  --media-root DIR        endoreg-db's MEDIA_ROOT for relative processed_file / frame_dir (default .)`;

/** The connection from `--db URL` or `--db env`; the password is remembered in memory only. */
export function dbFromFlag(value: string, env: Readonly<Record<string, string | undefined>> = process.env): DbConfig {
  const db = value === "env" ? resolveDbConfig({ env }) : resolveDbConfig({ url: value, env });
  rememberDbPassword(db);
  return db;
}

/** The database named by `--db`, without its password (safe for configs and run metadata). */
export function dbUrlFromFlag(value: string, env?: Readonly<Record<string, string | undefined>>): string {
  return describeDb(dbFromFlag(value, env));
}

/**
 * Connects and opens a {@link PostgresVideoSource} for the videos; call `close()` when done.
 * @example const { source, close } = await openDbVideoSource(values.db, values["media-root"], io, [1]);
 */
export async function openDbVideoSource(db: string, mediaRoot: string | undefined, io: CliIo, videoIds: readonly number[]): Promise<{ source: PostgresVideoSource; close: () => Promise<void> }> {
  const session = await DbSession.connect(dbFromFlag(db, io.env));
  try {
    const source = await PostgresVideoSource.open(session, { videoIds, mediaRoot: resolve(io.cwd, mediaRoot ?? ".") });
    return { source, close: () => session.close() };
  } catch (error) {
    await session.close();
    throw error;
  }
}

/**
 * The export source of `--library FILE` or `--db URL` (exactly one is given); `close()` when done.
 * @example const { source, close } = await openVideoSource(values, io, [videoId]);
 */
export async function openVideoSource(values: { library?: string | undefined; db?: string | undefined; "media-root"?: string | undefined }, io: CliIo, videoIds: readonly number[]): Promise<{ source: VideoSource; close: () => Promise<void> }> {
  if (values.db !== undefined) return openDbVideoSource(values.db, values["media-root"], io, videoIds);
  const source = await FileVideoSource.open(resolve(io.cwd, values.library ?? ""));
  return { source, close: () => Promise.resolve() };
}
