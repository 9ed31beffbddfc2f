/**
 * Where the `trainset` CLI is: a configured path, `TRAINSET_CLI`, the workspace's
 * `node_modules/trainset`, or a trainset source checkout opened as the workspace.
 * Pure apart from `existsSync`; no vscode.
 */
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";

/** Inputs of {@link locateCli}. */
export interface LocateCliOptions {
  /** `trainset.cliPath` setting ("" when unset). */
  configured: string;
  /** Workspace folder paths, first one first. */
  folders: readonly string[];
  /** The `TRAINSET_CLI` environment variable. */
  env?: string | undefined;
  /** File test (default existsSync); tests pass their own. */
  exists?: (path: string) => boolean;
}

/** The script to run with Node, or the places that were tried. */
export type LocateCliResult = { found: true; script: string } | { found: false; tried: string[] };

/** The candidate scripts in the order they are tried. */
export function cliCandidates(options: LocateCliOptions): string[] {
  const candidates: string[] = [];
  const add = (path: string, base: string | undefined): void => {
    if (path === "") return;
    if (isAbsolute(path)) candidates.push(path);
    else if (base !== undefined) candidates.push(join(base, path));
  };
  add(options.configured, options.folders[0]);
  add(options.env ?? "", options.folders[0]);
  for (const folder of options.folders) {
    candidates.push(join(folder, "node_modules", "trainset", "bin", "trainset.js"));
    candidates.push(join(folder, "kernel", "bin", "trainset.js"));
  }
  return candidates;
}

/**
 * Finds the CLI script.
 * @example locateCli({ configured: "", folders: ["/ws"] })
 */
export function locateCli(options: LocateCliOptions): LocateCliResult {
  const exists = options.exists ?? existsSync;
  const tried = cliCandidates(options);
  const script = tried.find((path) => exists(path));
  return script === undefined ? { found: false, tried } : { found: true, script };
}

/** The message shown when the CLI is missing, with the fix. */
export function missingCliMessage(tried: readonly string[]): string {
  return `trainset CLI not found (looked in ${tried.join(", ") || "no folder"}). Install it in the workspace with "npm install trainset", or set "trainset.cliPath" to its bin/trainset.js.`;
}
