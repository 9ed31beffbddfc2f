/**
 * Bearer tokens: a JSON file (mode 0600) mapping each token to the user it speaks for. The server
 * creates one on first start; `trainset serve token create --user NAME` adds more. A token file
 * that other users can read is refused.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { ioError, systemErrorCode, TrainsetError } from "../util/errors.js";
import { unsafeNameReason } from "../service/safe-name.js";
import { withStoreLock } from "../service/store-lock.js";

/** One line of the token file. */
export interface TokenRecord {
  token: string;
  user: string;
  created_at: string;
}

/** The token file on disk. */
export interface TokenFile {
  tokens: TokenRecord[];
}

/** Looks users up by bearer token. */
export interface TokenTable {
  /** The user a bearer token belongs to, or undefined. */
  userFor(token: string): string | undefined;
  readonly size: number;
}

const hash = (token: string): string => createHash("sha256").update(token).digest("hex");

/** A new random token (`tsk_` + 32 random bytes, base64url). */
export function newToken(): string {
  return `tsk_${randomBytes(32).toString("base64url")}`;
}

function parseTokenFile(path: string, text: string): TokenFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new TrainsetError("PARSE_ERROR", `Cannot read token file "${path}": it is not JSON`, { file: path, cause: error });
  }
  const list = (data as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(list)) throw new TrainsetError("PARSE_ERROR", `Cannot read token file "${path}": "tokens" must be a list`, { file: path, field: "tokens" });
  const tokens = list.map((t: unknown, i): TokenRecord => {
    const r = t as Partial<TokenRecord> | null;
    if (typeof r?.token !== "string" || r.token.length < 16) throw new TrainsetError("PARSE_ERROR", `Cannot read token file "${path}": tokens[${i}].token must be a string of 16+ characters`, { file: path, field: `tokens[${i}].token` });
    const why = unsafeNameReason("UserId", r.user);
    if (why !== undefined) throw new TrainsetError("PARSE_ERROR", `Cannot read token file "${path}": tokens[${i}].user: ${why}`, { file: path, field: `tokens[${i}].user` });
    return { token: r.token, user: r.user as string, created_at: typeof r.created_at === "string" ? r.created_at : "" };
  });
  return { tokens };
}

/**
 * Reads a token file, refusing one that group or others may read.
 * @example const file = await readTokenFile(".trainset/server/tokens.json");
 */
export async function readTokenFile(path: string): Promise<TokenFile> {
  let text: string;
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) {
      throw new TrainsetError("VALIDATION_ERROR", `Cannot read token file "${path}": its mode ${(info.mode & 0o777).toString(8)} lets other users read it; run chmod 600 on it`, { file: path });
    }
    text = await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof TrainsetError) throw error;
    throw ioError("read token file", path, error);
  }
  return parseTokenFile(path, text);
}

/** A lookup table over a token file's records. */
export function tokenTable(file: TokenFile): TokenTable {
  const byHash = new Map(file.tokens.map((t) => [hash(t.token), t.user]));
  return { userFor: (token) => byHash.get(hash(token)), size: byHash.size };
}

/** Result of {@link addToken} and {@link ensureTokenFile}. */
export interface AddTokenResult {
  token: string;
  user: string;
  /** True when the file did not exist before. */
  created: boolean;
}

/**
 * Adds a new token for `user` to the file (created with mode 0600 when missing); returns it.
 * @example const { token } = await addToken(path, "alice");
 */
export async function addToken(path: string, user: string): Promise<AddTokenResult> {
  const why = unsafeNameReason("UserId", user);
  if (why !== undefined) throw new TrainsetError("VALIDATION_ERROR", `Cannot create a token: ${why}`, { field: "user" });
  return withStoreLock(path, async () => {
    const existing = await readTokenFile(path).catch((error: unknown) => {
      if (error instanceof TrainsetError && error.code === "NOT_FOUND") return undefined;
      throw error;
    });
    const token = newToken();
    const tokens = [...(existing?.tokens ?? []), { token, user, created_at: new Date().toISOString() }];
    await writeJsonAtomic(path, { tokens }, { mode: 0o600 });
    return { token, user, created: existing === undefined };
  });
}

/**
 * Returns the file's first token for `user`, creating the file (mode 0600) with a fresh token
 * when it does not exist yet.
 * @example const { token, created } = await ensureTokenFile(path, "default-user");
 */
export async function ensureTokenFile(path: string, user: string): Promise<AddTokenResult> {
  try {
    const file = await readTokenFile(path);
    const mine = file.tokens.find((t) => t.user === user) ?? file.tokens[0];
    if (mine === undefined) return await addToken(path, user);
    return { token: mine.token, user: mine.user, created: false };
  } catch (error) {
    if (error instanceof TrainsetError && error.code === "NOT_FOUND") return addToken(path, user);
    if (systemErrorCode(error) === "ENOENT") return addToken(path, user);
    throw error;
  }
}
