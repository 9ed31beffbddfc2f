/** Starts the kernel for a process launched by Jupyter (`--connection-file FILE`). */
import { parseArgs } from "node:util";
import { startKernel } from "./kernel.js";

/** Parses the kernel's argv and serves until shutdown; returns a usage error message, if any. */
export async function runKernelProcess(argv: readonly string[]): Promise<string | undefined> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { "connection-file": { type: "string", short: "f" }, "no-typecheck": { type: "boolean" } },
  });
  const connectionFile = values["connection-file"] ?? positionals[0];
  if (connectionFile === undefined) return "Usage: trainset-kernel --connection-file FILE [--no-typecheck]";
  await startKernel({ connectionFile, typeCheck: values["no-typecheck"] !== true });
  return undefined;
}
