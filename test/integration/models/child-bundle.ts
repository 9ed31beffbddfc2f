/** Bundles a child-process script with esbuild (packages stay external) so each start is fast. */
import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Bundles `entry` (a path relative to this folder) to node_modules/.cache/trainset-test/, where
 * Node still resolves the repository's packages, and returns the bundle's path.
 */
export async function bundleChild(entry: string): Promise<string> {
  const outDir = join(REPO, "node_modules", ".cache", "trainset-test");
  await mkdir(outDir, { recursive: true });
  const outfile = join(outDir, `${basename(entry, ".ts")}-${process.pid}.mjs`);
  await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    conditions: ["trainset-source"],
    logLevel: "silent",
  });
  return outfile;
}
