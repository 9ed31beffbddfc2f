/** `trainset bundle DIR` and `trainset bundle inspect FILE`: age-encrypted, verifiable exports. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { ReadStream } from "node:tty";
import type { AgeOpening, AgeSealing } from "../../bundle/age-header.js";
import { auditBundle, type BundleAuditRecord } from "../../bundle/bundle-audit.js";
import { BundleError } from "../../bundle/bundle-error.js";
import { createBundle } from "../../bundle/create-bundle.js";
import { assertRecipient, readIdentityFile, readPassphraseFile, readRecipientsFile } from "../../bundle/keys.js";
import { inspectBundle } from "../../bundle/open-bundle.js";
import { promptPassphrase } from "../../bundle/passphrase-prompt.js";
import { FileVideoSource } from "../../export/video-source.js";
import { resolveStoreRoot } from "../../service/store-layout.js";
import { errorMessage, isTrainsetError } from "../../util/errors.js";
import { numberFlag, requirePositionals } from "../args.js";
import { println, UsageError, type CliCommand, type CliIo } from "../command.js";
import { withProgressBar } from "../progress-bar.js";

/** parseArgs options shared by the commands that open a bundle. */
export const OPEN_OPTIONS = {
  identity: { type: "string", multiple: true },
  passphrase: { type: "boolean" },
  "passphrase-file": { type: "string" },
  store: { type: "string" },
  user: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
} as const;

/** Usage lines of {@link OPEN_OPTIONS}. */
export const OPEN_USAGE = `  --identity FILE         an age identity file (trainset keygen / age-keygen); repeatable
  --passphrase            prompt for the passphrase on the terminal (no echo)
  --passphrase-file FILE  read the passphrase from the first line of FILE (never from argv)
  --store DIR             audit-log store (default $TRAINSET_STORE or .trainset/)
  --user NAME             who, for the audit log (default: the OS user)
  --json                  print a machine-readable result (errors too, as {"ok":false,...})
  --quiet                 no progress bar`;

/** The terminal of the real process, for the passphrase prompt. */
function terminal(io: CliIo): { input: ReadStream; output: CliIo["stderr"] } {
  return { input: process.stdin as ReadStream, output: io.stderr };
}

/** Identities and/or passphrase from the open flags; refuses none given. */
export async function openingFromFlags(values: { identity?: string[]; passphrase?: boolean; "passphrase-file"?: string }, io: CliIo): Promise<AgeOpening> {
  const identities: string[] = [];
  for (const file of values.identity ?? []) identities.push(...(await readIdentityFile(resolve(io.cwd, file))));
  let passphrase: string | undefined;
  if (values["passphrase-file"] !== undefined) passphrase = await readPassphraseFile(resolve(io.cwd, values["passphrase-file"]));
  else if (values.passphrase === true) passphrase = await promptPassphrase(terminal(io));
  if (identities.length === 0 && passphrase === undefined) throw new UsageError("give --identity FILE, --passphrase or --passphrase-file FILE");
  return { identities, ...(passphrase === undefined ? {} : { passphrase }) };
}

/**
 * Runs a bundle action, writes its audit entry (success or failure) and, with --json, prints a
 * failure as {"ok":false,...} before the error propagates to main.
 */
export async function audited<T>(io: CliIo, values: { store?: string; user?: string; json?: boolean }, base: Omit<BundleAuditRecord, "outcome" | "startedAt">, work: () => Promise<{ result: T; audit: Partial<BundleAuditRecord> }>): Promise<T> {
  const startedAt = new Date();
  const root = resolveStoreRoot({ ...(values.store === undefined ? {} : { store: values.store }), cwd: io.cwd, env: io.env });
  const record = async (r: Partial<BundleAuditRecord> & { outcome: BundleAuditRecord["outcome"] }): Promise<void> => {
    try {
      await auditBundle(root, { ...base, ...(values.user === undefined ? {} : { user: values.user }), startedAt, ...r });
    } catch (error) {
      println(io.stderr, `trainset: warning: cannot write the audit log in "${root}": ${errorMessage(error)}`);
    }
  };
  try {
    const { result, audit } = await work();
    await record({ ...audit, outcome: "success" });
    return result;
  } catch (error) {
    const reason = error instanceof BundleError ? error.reason : undefined;
    await record({ outcome: isTrainsetError(error, "ABORTED") ? "cancelled" : "failure", error: errorMessage(error), ...(reason === undefined ? {} : { reason }) });
    if (values.json === true) {
      println(io.stdout, JSON.stringify({ ok: false, error: { code: isTrainsetError(error) ? error.code : "ERROR", ...(reason === undefined ? {} : { reason }), message: errorMessage(error) } }, null, 2));
    }
    throw error;
  }
}

const usage = `Usage: trainset bundle EXPORT_DIR --out NAME.tar.age --library FILE
         (--recipient age1... [--recipient ...] [--recipients-file FILE] | --passphrase | --passphrase-file FILE)
         [--table annotations.csv] [--store DIR] [--user NAME] [--json] [--quiet]

Streams the export folder as a tar through age encryption into one file (written to a temp file,
renamed when complete; no plaintext copy anywhere). Inside: the files under export/ and
trainset-manifest.json with the SHA-256 and size of every file, the export's metadata and the
safety findings. Refuses, before writing anything, an export that fails check-export, holds raw or
non-anonymised media, or has a path (symlinks included) that escapes the folder.

  --recipient age1...     a public key to encrypt to (trainset keygen / age-keygen); repeatable
  --recipients-file FILE  one age1... per line, # comments (as age -R); repeatable
  --passphrase            encrypt with a passphrase (age scrypt) typed at a prompt, twice
  --passphrase-file FILE  ... or read from the first line of FILE (never from argv)
  --scrypt-work-factor N  log2 of scrypt's cost for passphrases (default 18, as age)
  --library FILE          the video library the export came from (confirms anonymisation validation)
  --table FILE            the annotation table inside the export (default annotations.csv/json)
  --sync                  return only once the bundle is on disk (fsync; default: like tar and age, the
                          system writes it back later; the rename still makes it appear only whole)
  --store DIR             audit-log store (default $TRAINSET_STORE or .trainset/)
  --user NAME             who, for the audit log (default: the OS user)
  --json                  print a machine-readable result (errors too, as {"ok":false,...})
  --quiet                 no progress bar

Open with: trainset unbundle NAME.tar.age --identity key.txt --out DIR
       or: age -d -i key.txt NAME.tar.age | tar -x`;

/** The `bundle` command. */
export const bundleCommand: CliCommand = {
  name: "bundle",
  summary: "encrypt an export folder into a verifiable age bundle (tar.age) for transfer",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: "string" },
        recipient: { type: "string", multiple: true },
        "recipients-file": { type: "string", multiple: true },
        passphrase: { type: "boolean" },
        "passphrase-file": { type: "string" },
        "scrypt-work-factor": { type: "string" },
        library: { type: "string" },
        table: { type: "string" },
        sync: { type: "boolean" },
        store: { type: "string" },
        user: { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
      },
    });
    const [dir] = requirePositionals(positionals, 1, "the export folder") as [string];
    if (values.out === undefined) throw new UsageError("missing --out NAME.tar.age");
    const recipients = (values.recipient ?? []).map((r, i) => assertRecipient(r, `--recipient #${i + 1}`));
    for (const file of values["recipients-file"] ?? []) recipients.push(...(await readRecipientsFile(resolve(io.cwd, file))));
    const wantsPassphrase = values.passphrase === true || values["passphrase-file"] !== undefined;
    if (wantsPassphrase && recipients.length > 0) throw new UsageError("give recipients or a passphrase, not both");
    if (!wantsPassphrase && recipients.length === 0) throw new UsageError("give --recipient age1..., --recipients-file FILE, --passphrase or --passphrase-file FILE");
    const workFactor = numberFlag("scrypt-work-factor", values["scrypt-work-factor"], { min: 1, max: 20, integer: true });
    const exportDir = resolve(io.cwd, dir);
    const out = resolve(io.cwd, values.out);
    const base = { action: "bundle-create" as const, bundle: out, folder: exportDir, mode: "create" as const, ...(wantsPassphrase ? { passphrase: true } : { recipients }) };
    const result = await audited(io, values, base, async () => {
      let sealing: AgeSealing;
      if (wantsPassphrase) {
        const passphrase = values["passphrase-file"] !== undefined ? await readPassphraseFile(resolve(io.cwd, values["passphrase-file"])) : await promptPassphrase(terminal(io), { confirm: true });
        sealing = { passphrase, ...(workFactor === undefined ? {} : { scryptWorkFactor: workFactor }) };
      } else sealing = { recipients };
      const source = values.library === undefined ? undefined : await FileVideoSource.open(resolve(io.cwd, values.library));
      const r = await withProgressBar(io, values.quiet === true || values.json === true, (onProgress) =>
        createBundle(exportDir, out, { sealing, signal: io.signal, onProgress, durable: values.sync === true, ...(source === undefined ? {} : { source }), ...(values.table === undefined ? {} : { table: values.table }) }),
      );
      return { result: r, audit: { manifestSha256: r.manifestSha256, files: r.files, bytes: r.bytes } };
    });
    if (values.json === true) {
      println(io.stdout, JSON.stringify({ ok: true, out: result.out, files: result.files, bytes: result.bytes, bundle_bytes: result.bundleBytes, manifest_sha256: result.manifestSha256, encryption: result.manifest.encryption, export: result.manifest.export }, null, 2));
    } else {
      println(io.stdout, `bundled ${result.files} files (${result.bytes} bytes) into ${result.out} (${result.bundleBytes} bytes)`);
      println(io.stdout, `manifest SHA-256 ${result.manifestSha256}`);
      const enc = result.manifest.encryption;
      println(io.stdout, enc.mode === "passphrase" ? "encrypted with a passphrase" : `encrypted to ${enc.recipients.join(", ")}`);
    }
    return 0;
  },
};

const inspectUsage = `Usage: trainset bundle inspect NAME.tar.age (--identity FILE | --passphrase | --passphrase-file FILE) [--json]

Decrypts the bundle in memory, checks every file against its manifest and prints the manifest
(export metadata, safety findings, files with SHA-256 and size). Writes nothing but the audit entry.

${OPEN_USAGE}`;

/** The `bundle inspect` command. */
export const bundleInspectCommand: CliCommand = {
  name: "bundle inspect",
  summary: "print (and verify) a bundle's manifest without extracting it",
  usage: inspectUsage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPEN_OPTIONS });
    const [file] = requirePositionals(positionals, 1, "the bundle file") as [string];
    const bundle = resolve(io.cwd, file);
    const opening = await openingFromFlags(values, io);
    const result = await audited(io, values, { action: "bundle-open", bundle, mode: "inspect" }, async () => {
      const r = await inspectBundle(bundle, { opening, signal: io.signal });
      const enc = r.manifest.encryption;
      return { result: r, audit: { manifestSha256: r.manifestSha256, files: r.manifest.files.length, bytes: r.manifest.totals.bytes, ...(enc.mode === "recipients" ? { recipients: enc.recipients } : { passphrase: true }) } };
    });
    if (values.json === true) {
      println(io.stdout, JSON.stringify({ ok: true, verified: result.verified, manifest_sha256: result.manifestSha256, manifest: result.manifest }, null, 2));
      return 0;
    }
    const m = result.manifest;
    println(io.stdout, `bundle ${bundle}: verified, ${m.files.length} files, ${m.totals.bytes} bytes, manifest SHA-256 ${result.manifestSha256}`);
    println(io.stdout, `created ${m.created_at} by ${m.tool.name} ${m.tool.version}; ${m.encryption.mode === "passphrase" ? "passphrase" : `recipients ${m.encryption.recipients.join(", ")}`}`);
    println(io.stdout, `export "${m.export.name}": dataset ${m.export.dataset?.name ?? "-"}, schema ${m.export.schema_version ?? "-"}, videos ${m.export.video_ids.join(", ")}, ${m.export.counts.annotation_rows} rows, ${m.export.counts.frames} frames`);
    for (const c of m.safety.checks) println(io.stdout, `  ${c.status.toUpperCase().padEnd(4)} ${c.name}: ${c.detail}`);
    for (const f of m.files) println(io.stdout, `  ${f.sha256}  ${String(f.size).padStart(12)}  ${f.path}`);
    return 0;
  },
};
