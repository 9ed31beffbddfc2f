/**
 * The `trainset` kernel spec: what `jupyter`, nbclient and VS Code read to start this kernel.
 * Spec: https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs
 */
import { mkdir, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { ioError, systemErrorCode, TrainsetError } from "../util/errors.js";
import { kernelPaths } from "./kernel-paths.js";

/** The kernel spec's name (the folder under `kernels/`). */
export const KERNEL_NAME = "trainset";

/** The contents of kernel.json. */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal" | "message";
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** Where to install: the user's Jupyter data folder, or `<prefix>/share/jupyter`. */
export type KernelInstallTarget = { kind: "user" } | { kind: "prefix"; prefix: string };

/** Options shared by install and uninstall. */
export interface KernelSpecOptions {
  /** Environment used to find the user's Jupyter folder (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Builds kernel.json with absolute paths to node and the kernel entry, so it works from any
 * folder. From a source checkout (running under tsx) it starts the TypeScript entry via tsx.
 * @example
 * buildKernelSpec().argv; // ["/usr/bin/node", ".../kernel/bin/trainset-kernel.js", "--connection-file", "{connection_file}"]
 */
export function buildKernelSpec(): KernelSpec {
  const paths = kernelPaths();
  const entry = paths.fromSource
    ? ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href, join(paths.packageRoot, "src/jupyter/kernel-main.ts")]
    : [join(paths.packageRoot, "bin/trainset-kernel.js")];
  return {
    argv: [process.execPath, ...entry, "--connection-file", "{connection_file}"],
    display_name: "TypeScript (trainset)",
    language: "typescript",
    interrupt_mode: "signal",
    env: {},
    metadata: { debugger: false },
  };
}

/** The Jupyter data folder of the current user (`jupyter --data-dir`). */
export function userJupyterDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR !== undefined && env.JUPYTER_DATA_DIR !== "") return env.JUPYTER_DATA_DIR;
  const home = env.HOME ?? homedir();
  if (process.platform === "darwin") return join(home, "Library", "Jupyter");
  if (process.platform === "win32") return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "jupyter");
  return join(env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== "" ? env.XDG_DATA_HOME : join(home, ".local", "share"), "jupyter");
}

/** The folder that holds kernel.json for a target. */
export function kernelSpecDir(target: KernelInstallTarget, options: KernelSpecOptions = {}): string {
  const base = target.kind === "user" ? userJupyterDataDir(options.env) : join(target.prefix, "share", "jupyter");
  return join(base, "kernels", KERNEL_NAME);
}

/**
 * Writes the kernel spec (atomically) and returns its folder.
 * @example
 * const dir = await installKernelSpec({ kind: "prefix", prefix: "/tmp/jupyter-env" });
 */
export async function installKernelSpec(target: KernelInstallTarget, options: KernelSpecOptions = {}): Promise<string> {
  const dir = kernelSpecDir(target, options);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw ioError("install the Jupyter kernel spec in", dir, error);
  }
  await writeJsonAtomic(join(dir, "kernel.json"), buildKernelSpec());
  return dir;
}

/**
 * Removes the kernel spec folder; fails with NOT_FOUND when it is not installed there.
 * @example
 * await uninstallKernelSpec({ kind: "user" });
 */
export async function uninstallKernelSpec(target: KernelInstallTarget, options: KernelSpecOptions = {}): Promise<string> {
  const dir = kernelSpecDir(target, options);
  try {
    await stat(join(dir, "kernel.json"));
  } catch (error) {
    if (systemErrorCode(error) === "ENOENT") throw new TrainsetError("NOT_FOUND", `Cannot uninstall the Jupyter kernel spec "${KERNEL_NAME}": it is not installed in "${dir}"`, { file: dir });
    throw ioError("read the Jupyter kernel spec", dir, error);
  }
  try {
    await rm(dir, { recursive: true, force: true });
  } catch (error) {
    throw ioError("remove the Jupyter kernel spec", dir, error);
  }
  return dir;
}
