/** `trainset kernel bridge`: a JSON-lines front for the kernel, for editors without ZMQ (VS Code). */
import { createInterface } from "node:readline";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseToBridge, type FromBridge } from "../../jupyter/bridge-protocol.js";
import { startKernelBridge } from "../../jupyter/kernel-bridge.js";
import { requirePositionals } from "../args.js";
import type { CliCommand } from "../command.js";

/** The kernel bridge command. */
export const kernelBridgeCommand: CliCommand = {
  name: "kernel bridge",
  summary: "run the kernel behind a JSON-lines stdin/stdout bridge (used by the VS Code extension)",
  usage: `Usage: trainset kernel bridge [--cwd DIR]

Starts the "TypeScript (trainset)" kernel with a fresh connection file and speaks Jupyter (ZMQ)
to it. Reads one JSON request per line on stdin:
  {"type":"execute","id":"c1","code":"..."} | {"type":"interrupt"} | {"type":"restart"} | {"type":"shutdown"}
and writes one JSON event per line on stdout: ready, output (stream, display_data,
update_display_data, execute_result, error, clear_output), done, restarted, log, exited.
Ends when stdin closes or after a shutdown request.

Options:
  --cwd DIR   the kernel's working folder (default: the current folder)`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { cwd: { type: "string" } } });
    requirePositionals(positionals, 0, "");
    const emit = (event: FromBridge): void => {
      io.stdout.write(`${JSON.stringify(event)}\n`);
    };
    const bridge = await startKernelBridge({ cwd: resolve(io.cwd, values.cwd ?? "."), emit });
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    let queue = Promise.resolve();
    let ended = false;
    await new Promise<void>((done) => {
      const end = (): void => {
        if (ended) return;
        ended = true;
        queue = queue.then(() => bridge.close()).finally(done);
      };
      lines.on("line", (line) => {
        const request = parseToBridge(line);
        if (request === undefined) {
          emit({ type: "log", message: `trainset kernel bridge: ignored a line that is not a request: ${line.slice(0, 200)}\n` });
          return;
        }
        if (request.type === "shutdown") {
          end();
          return;
        }
        // Interrupts skip the queue: a restart may be waiting behind a busy kernel.
        if (request.type === "interrupt") void bridge.handle(request);
        else queue = queue.then(() => bridge.handle(request)).catch((error: unknown) => emit({ type: "log", message: `${error instanceof Error ? error.message : String(error)}\n` }));
      });
      lines.on("close", end);
      io.signal.addEventListener("abort", end);
    });
    lines.close();
    return 0;
  },
};
