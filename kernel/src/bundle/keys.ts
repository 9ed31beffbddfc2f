/**
 * age identities and recipients on disk, in the reference CLI's formats: `age-keygen` identity
 * files (comments, then `AGE-SECRET-KEY-1…`) and recipients files (one `age1…` per line).
 * Secret material never appears in a message: errors name the file and line only.
 */
import { readFile, stat } from "node:fs/promises";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { writeFileAtomic } from "../util/atomic-write.js";
import { TrainsetError, ioError } from "../util/errors.js";

/** What {@link generateKeyFile} wrote. */
export interface GenerateKeyFileResult {
  path: string;
  /** The public recipient (`age1…`) to give to senders. */
  recipient: string;
}

/** Options of {@link generateKeyFile}. */
export interface GenerateKeyFileOptions {
  /** Replace an existing file (default false: refuse). */
  force?: boolean;
  /** Creation time written in the comment (default now). */
  now?: Date;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes a new X25519 identity, readable by its owner only (mode 0600), as `age-keygen` does.
 * @example const { recipient } = await generateKeyFile("key.txt");
 */
export async function generateKeyFile(path: string, options: GenerateKeyFileOptions = {}): Promise<GenerateKeyFileResult> {
  if (options.force !== true && (await exists(path))) {
    throw new TrainsetError("CONFLICT", `Cannot write key "${path}": the file exists; remove it or pass --force (a lost key cannot open its bundles)`, { file: path });
  }
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const text = `# created: ${(options.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z")}\n# public key: ${recipient}\n${identity}\n`;
  await writeFileAtomic(path, text, { mode: 0o600 });
  return { path, recipient };
}

/** A line-oriented key file's meaningful lines with their 1-based numbers. */
function keyLines(text: string): Array<{ line: number; value: string }> {
  return text
    .split(/\r?\n/)
    .map((value, i) => ({ line: i + 1, value: value.trim() }))
    .filter((l) => l.value !== "" && !l.value.startsWith("#"));
}

/**
 * Reads the identities of an identity file; refuses a file with none or a line that is not one.
 * @example const identities = await readIdentityFile("key.txt");
 */
export async function readIdentityFile(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw ioError("read identity file", path, error);
  });
  const identities: string[] = [];
  for (const { line, value } of keyLines(text)) {
    if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(value)) {
      throw new TrainsetError("PARSE_ERROR", `Cannot read identity file "${path}": line ${line} is not an age identity (AGE-SECRET-KEY-1…); its content is not shown`, { file: path, line });
    }
    identities.push(value);
  }
  if (identities.length === 0) throw new TrainsetError("PARSE_ERROR", `Cannot read identity file "${path}": it holds no age identity`, { file: path });
  return identities;
}

/** The public recipient of each identity. */
export async function recipientsOfIdentities(identities: readonly string[]): Promise<string[]> {
  return Promise.all(identities.map((i) => identityToRecipient(i)));
}

/** Refuses a string that is not an age recipient (bech32 `age1…`, lower case). */
export function assertRecipient(value: string, where: string): string {
  if (!/^age1[02-9ac-hj-np-z]{20,}$/.test(value)) {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot use recipient ${where}: "${value.slice(0, 80)}" is not an age recipient (age1…)`, { field: "recipient" });
  }
  return value;
}

/**
 * Reads a recipients file (one `age1…` per line, `#` comments), as `age -R` does.
 * @example const recipients = await readRecipientsFile("team.txt");
 */
export async function readRecipientsFile(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw ioError("read recipients file", path, error);
  });
  const out: string[] = [];
  for (const { line, value } of keyLines(text)) {
    if (value.startsWith("AGE-SECRET-KEY-")) {
      throw new TrainsetError("VALIDATION_ERROR", `Cannot read recipients file "${path}": line ${line} is a secret identity, not a public recipient; never share that file`, { file: path, line });
    }
    try {
      out.push(assertRecipient(value, `on line ${line} of "${path}"`));
    } catch (error) {
      if (error instanceof TrainsetError) throw new TrainsetError("VALIDATION_ERROR", error.message, { file: path, line, field: "recipient" });
      throw error;
    }
  }
  if (out.length === 0) throw new TrainsetError("VALIDATION_ERROR", `Cannot read recipients file "${path}": it holds no recipient`, { file: path });
  return out;
}

/**
 * Reads a passphrase from the first line of a file (the line ending is not part of it).
 * @example const passphrase = await readPassphraseFile("pass.txt");
 */
export async function readPassphraseFile(path: string): Promise<string> {
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw ioError("read passphrase file", path, error);
  });
  const first = text.split(/\r?\n/)[0] ?? "";
  if (first === "") throw new TrainsetError("VALIDATION_ERROR", `Cannot read passphrase file "${path}": its first line is empty`, { file: path, line: 1 });
  return first;
}
