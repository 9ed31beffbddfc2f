#!/usr/bin/env node
// The `trainset` command. Runs the compiled CLI (built by `npm install` via the root `prepare`).
import { existsSync } from "node:fs";

const compiled = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write(
    "trainset: the CLI is not built yet. Run `npm install` (or `npm run build`) at the repository root.\n",
  );
  process.exit(1);
}
const { runFromProcess } = await import(compiled.href);
await runFromProcess();
