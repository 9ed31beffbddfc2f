#!/usr/bin/env node
// The trainset Jupyter kernel process (kernel.json's argv). Runs the compiled kernel entry.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/jupyter/kernel-main.js", import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write(
    "trainset kernel: not built yet. Run `npm install` (or `npm run build`) at the repository root.\n",
  );
  process.exit(1);
}
await import(compiled.href);
