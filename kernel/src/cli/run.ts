/** Runs the CLI from source: `node --conditions=trainset-source --import tsx kernel/src/cli/run.ts <command>`. */
import { runFromProcess } from "./main.js";

await runFromProcess();
