/**
 * Where the kernel's own package lives, and whether it runs from TypeScript sources (a checkout,
 * under tsx) or from the built `dist/`. Cells resolve `import ... from "trainset"` to this very
 * package, both for types and at run time, whatever folder the notebook is in.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Paths the kernel needs about itself. */
export interface KernelPaths {
  /** The `kernel/` package folder (holds package.json). */
  packageRoot: string;
  /** True when running from `src/*.ts` (through tsx), false from `dist/*.js`. */
  fromSource: boolean;
  /** The file `import "trainset"` loads at run time. */
  runtimeEntry: string;
  /** The file the type checker reads for `"trainset"`. */
  typesEntry: string;
  /** A folder holding `@types/node`, if one can be found. */
  typeRoots: string[];
}

let cached: KernelPaths | undefined;

/** Computes (once) the kernel's paths from this module's own location. */
export function kernelPaths(): KernelPaths {
  if (cached !== undefined) return cached;
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith(".ts");
  // This file is <root>/src/jupyter/kernel-paths.ts or <root>/dist/jupyter/kernel-paths.js.
  const packageRoot = dirname(dirname(dirname(here)));
  const typeRoots: string[] = [];
  try {
    const nodeTypes = createRequire(import.meta.url).resolve("@types/node/package.json");
    typeRoots.push(dirname(dirname(nodeTypes)));
  } catch {
    // @types/node is optional: without it the checker falls back to the DOM lib for console & co.
  }
  cached = {
    packageRoot,
    fromSource,
    runtimeEntry: join(packageRoot, fromSource ? "src/index.ts" : "dist/index.js"),
    typesEntry: join(packageRoot, fromSource ? "src/index.ts" : "dist/index.d.ts"),
    typeRoots: typeRoots.filter((root) => existsSync(root)),
  };
  return cached;
}
