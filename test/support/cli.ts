/** Runs the trainset CLI in-process with captured output, as a user would call it. */
import { PassThrough } from "node:stream";
import { main } from "../../kernel/src/cli/main.js";

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Calls `trainset <argv>` and collects stdout/stderr. */
export async function runCli(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await main(argv, {
    stdout,
    stderr,
    interactive: false,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    signal: new AbortController().signal,
  });
  return { code, stdout: out, stderr: err };
}
