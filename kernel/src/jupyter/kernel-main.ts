/**
 * Process entry of the Jupyter kernel (kernel.json's argv runs this, through
 * bin/trainset-kernel.js when built). Errors go to stderr, which Jupyter shows in its log.
 */
import { errorMessage } from "../util/errors.js";
import { runKernelProcess } from "./kernel-process.js";

try {
  const usage = await runKernelProcess(process.argv.slice(2));
  if (usage !== undefined) {
    process.stderr.write(`${usage}\n`);
    process.exitCode = 2;
  }
} catch (error) {
  process.stderr.write(`trainset kernel: ${errorMessage(error)}\n`);
  process.exit(1);
}
