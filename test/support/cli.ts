/** Runs the trainset CLI in-process with captured output, as a user would call it. */
import { PassThrough } from "node:stream";
import type { CliIo } from "../../kernel/src/cli/command.js";
import { main } from "../../kernel/src/cli/main.js";

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A non-interactive CliIo whose stdout and stderr are collected in memory. */
export function memoryIo(cwd: string, env: NodeJS.ProcessEnv = process.env): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr, interactive: false, cwd, env, signal: new AbortController().signal }, out: () => out, err: () => err };
}

/** Calls `trainset <argv>` and collects stdout/stderr. */
export async function runCli(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const { io, out, err } = memoryIo(options.cwd ?? process.cwd(), options.env ?? process.env);
  const code = await main(argv, io);
  return { code, stdout: out(), stderr: err() };
}
