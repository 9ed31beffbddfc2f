/** Entry of the `trainset` command: picks the sub-command, runs it, maps errors to exit codes. */
import { TrainsetError, errorMessage } from "../util/errors.js";
import { UsageError, println, type CliCommand, type CliIo } from "./command.js";
import { commands } from "./commands/index.js";
import { toolVersion } from "../version.js";

/** Finds the command whose (possibly multi-word) name prefixes argv, longest first. */
export function findCommand(argv: readonly string[], list: readonly CliCommand[] = commands): { command: CliCommand; rest: string[] } | undefined {
  const sorted = [...list].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  for (const command of sorted) {
    const words = command.name.split(" ");
    if (words.every((word, i) => argv[i] === word)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    "trainset — training data from raw sources to a deployed model",
    "",
    "Usage: trainset <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `trainset <command> --help` for the options of one command.",
  ].join("\n");
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code:
 * 0 success, 1 the data has errors or the operation failed, 2 bad usage, 130 interrupted.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    println(io.stdout, mainHelp());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--version" || argv[0] === "-V") {
    println(io.stdout, toolVersion());
    return 0;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    println(io.stderr, `trainset: unknown command "${argv.join(" ")}"\n\n${mainHelp()}`);
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes("--help") || rest.includes("-h")) {
    println(io.stdout, command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // The library throws RangeError for option values out of range (STYLE.md): a usage error.
    // (TypeError is not mapped: at run time it is far more often a bug than a bad flag.)
    if (error instanceof UsageError || error instanceof RangeError || isParseArgsError(error)) {
      println(io.stderr, `trainset ${command.name}: ${errorMessage(error)}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof TrainsetError) {
      println(io.stderr, `trainset ${command.name}: ${error.message}`);
      return error.code === "ABORTED" ? 130 : 1;
    }
    println(io.stderr, `trainset ${command.name}: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

/** Runs the CLI against the real process (used by bin/trainset.js). */
export async function runFromProcess(): Promise<void> {
  const controller = new AbortController();
  let interrupted = false;
  process.on("SIGINT", () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort(new Error("interrupted"));
  });
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: process.stderr.isTTY,
    cwd: process.cwd(),
    env: process.env,
    signal: controller.signal,
  });
  process.exitCode = code;
}
