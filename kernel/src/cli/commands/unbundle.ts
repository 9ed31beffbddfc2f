/** `trainset unbundle FILE --out DIR`: decrypt, verify against the manifest, then move into place. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { unbundle } from "../../bundle/open-bundle.js";
import { requirePositionals } from "../args.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { withProgressBar } from "../progress-bar.js";
import { OPEN_OPTIONS, OPEN_USAGE, audited, openingFromFlags } from "./bundle.js";

const usage = `Usage: trainset unbundle NAME.tar.age --out DIR (--identity FILE | --passphrase | --passphrase-file FILE)

Decrypts the bundle and extracts it into a temp folder beside DIR, checking every file's size and
SHA-256 against the manifest; DIR appears only when all match. A wrong key, a truncated or
tampered bundle, or a file that differs from the manifest leaves nothing behind, and the error
says which (--json: error.reason is wrong-key | truncated | tampered | mismatch | unsafe-entry |
not-age | not-bundle). DIR must not exist or be empty. Also opens a tar made by \`tar -c\` and
encrypted with \`age -r\`, as long as it holds export/ and trainset-manifest.json.

  --out DIR               where the export folder goes
${OPEN_USAGE}`;

/** The `unbundle` command. */
export const unbundleCommand: CliCommand = {
  name: "unbundle",
  summary: "decrypt and verify a bundle into a folder (all files match, or nothing is written)",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...OPEN_OPTIONS, out: { type: "string" } } });
    const [file] = requirePositionals(positionals, 1, "the bundle file") as [string];
    if (values.out === undefined) throw new UsageError("missing --out DIR");
    const bundle = resolve(io.cwd, file);
    const out = resolve(io.cwd, values.out);
    const opening = await openingFromFlags(values, io);
    const result = await audited(io, values, { action: "bundle-open", bundle, folder: out, mode: "unbundle" }, async () => {
      const r = await withProgressBar(io, values.quiet === true || values.json === true, (onProgress) => unbundle(bundle, out, { opening, signal: io.signal, onProgress }));
      const enc = r.manifest.encryption;
      return { result: r, audit: { manifestSha256: r.manifestSha256, files: r.files, bytes: r.bytes, ...(enc.mode === "recipients" ? { recipients: enc.recipients } : { passphrase: true }) } };
    });
    if (values.json === true) println(io.stdout, JSON.stringify({ ok: true, out: result.out, files: result.files, bytes: result.bytes, manifest_sha256: result.manifestSha256, export: result.manifest.export }, null, 2));
    else println(io.stdout, `unbundled ${result.files} files (${result.bytes} bytes) into ${result.out}; every file matches the manifest (SHA-256 ${result.manifestSha256})`);
    return 0;
  },
};
