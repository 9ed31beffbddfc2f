/** The version of the trainset package, read once from its package.json. */
import { readFileSync } from "node:fs";

let cached: string | undefined;

/** `trainset 0.1.0` style version string. */
export function toolVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  return cached;
}
