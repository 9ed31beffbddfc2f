/** `trainset keygen --out key.txt`: a new age identity (mode 0600); prints its public recipient. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { generateKeyFile } from "../../bundle/keys.js";
import { println, UsageError, type CliCommand } from "../command.js";

const usage = `Usage: trainset keygen --out key.txt [--force] [--json]

Writes a new age X25519 identity (the same format as age-keygen), readable by its owner only
(mode 0600), and prints the public recipient (age1...) to give to whoever sends you bundles.
The secret key is never printed. Refuses to replace an existing file unless --force.`;

/** The `keygen` command. */
export const keygenCommand: CliCommand = {
  name: "keygen",
  summary: "create an age identity for bundles and print its public recipient",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: "string" }, force: { type: "boolean" }, json: { type: "boolean" } } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values.out === undefined) throw new UsageError("missing --out key.txt");
    const result = await generateKeyFile(resolve(io.cwd, values.out), { force: values.force === true });
    if (values.json === true) println(io.stdout, JSON.stringify({ ok: true, path: result.path, recipient: result.recipient }, null, 2));
    else {
      println(io.stdout, `Public key: ${result.recipient}`);
      println(io.stderr, `wrote identity to ${result.path} (mode 0600); keep it secret, share only the public key`);
    }
    return 0;
  },
};
