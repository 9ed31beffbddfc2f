/** The shape every `trainset <command>` implements; main.ts dispatches to these. */
import type { Writable } from "node:stream";

/** Where a command prints; tests pass in-memory streams. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** True when stderr is an interactive terminal (progress bars only then). */
  interactive: boolean;
  /** Current working directory used to resolve relative paths. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Cancelled on SIGINT; long commands pass it to the library. */
  signal: AbortSignal;
}

/** A sub-command of the `trainset` CLI. */
export interface CliCommand {
  /** Words that select it, e.g. `validate` or `export runs`. */
  name: string;
  /** One line for `trainset --help`. */
  summary: string;
  /** Full help text printed by `trainset <name> --help`. */
  usage: string;
  /** Runs with the remaining argv; returns the process exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Thrown for bad command-line usage; main prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Writes a line to a stream. */
export function println(stream: Writable, text = ""): void {
  stream.write(text + "\n");
}
