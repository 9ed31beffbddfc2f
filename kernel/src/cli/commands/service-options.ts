/** Flags shared by the training-service commands: `--store`, `--user`, `--json`. */
import { resolveStoreRoot } from "../../service/store-layout.js";
import type { CliIo } from "../command.js";
import { println } from "../command.js";

/** parseArgs option specs for the shared flags. */
export const serviceFlags = {
  store: { type: "string" },
  user: { type: "string" },
  json: { type: "boolean" },
} as const;

/** Help lines for the shared flags. */
export const serviceFlagsHelp = `  --store DIR     service store (default $TRAINSET_STORE, else .trainset/ in the current folder)
  --user ID       user id (default default-user)
  --json          print JSON instead of text`;

/** The store root for these flags. */
export function storeRootFor(values: { store?: string | undefined }, io: CliIo): string {
  return resolveStoreRoot({ ...(values.store === undefined ? {} : { store: values.store }), cwd: io.cwd, env: io.env });
}

/** Prints `value` as pretty JSON. */
export function printJson(io: CliIo, value: unknown): void {
  println(io.stdout, JSON.stringify(value, null, 2));
}

/** A short local time for tables. */
export function shortTime(iso: string | undefined): string {
  return iso === undefined ? "-" : iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
}
