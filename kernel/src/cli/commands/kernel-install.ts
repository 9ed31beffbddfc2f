/** `trainset kernel install` / `trainset kernel uninstall`: the Jupyter kernel spec. */
import { parseArgs } from "node:util";
import { buildKernelSpec, installKernelSpec, uninstallKernelSpec, type KernelInstallTarget } from "../../jupyter/kernel-spec.js";
import { requirePositionals } from "../args.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { resolve } from "node:path";

const OPTIONS = { user: { type: "boolean" }, prefix: { type: "string" }, json: { type: "boolean" } } as const;

function targetOf(values: { user?: boolean; prefix?: string }, cwd: string): KernelInstallTarget {
  if (values.user === true && values.prefix !== undefined) throw new UsageError("--user and --prefix cannot be used together");
  return values.prefix === undefined ? { kind: "user" } : { kind: "prefix", prefix: resolve(cwd, values.prefix) };
}

/** The kernel install command. */
export const kernelInstallCommand: CliCommand = {
  name: "kernel install",
  summary: 'install the "TypeScript (trainset)" Jupyter kernel spec',
  usage: `Usage: trainset kernel install [--user | --prefix DIR] [--json]

Writes the Jupyter kernel spec "trainset" (display name "TypeScript (trainset)"). JupyterLab,
Jupyter Notebook, nbclient / jupyter-execute and VS Code can then start the kernel. The spec
runs this installation of trainset with absolute paths, so it works from any folder.

Options:
  --user        install for the current user (the default): $(jupyter --data-dir)/kernels/trainset
  --prefix DIR  install into DIR/share/jupyter/kernels/trainset (e.g. a virtualenv or conda env,
                or a folder you add to JUPYTER_PATH)
  --json        print {"name","dir","spec"} as JSON`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
    requirePositionals(positionals, 0, "");
    const dir = await installKernelSpec(targetOf(values, io.cwd), { env: io.env });
    if (values.json === true) println(io.stdout, JSON.stringify({ name: "trainset", dir, spec: buildKernelSpec() }, null, 2));
    else println(io.stdout, `Installed kernel spec "trainset" (TypeScript (trainset)) in ${dir}`);
    return 0;
  },
};

/** The kernel uninstall command. */
export const kernelUninstallCommand: CliCommand = {
  name: "kernel uninstall",
  summary: 'remove the "trainset" Jupyter kernel spec',
  usage: `Usage: trainset kernel uninstall [--user | --prefix DIR] [--json]

Removes the kernel spec "trainset" written by \`trainset kernel install\` with the same options.
Exit 1 when it is not installed there.

Options:
  --user        the current user's Jupyter data folder (the default)
  --prefix DIR  DIR/share/jupyter/kernels/trainset
  --json        print {"name","dir"} as JSON`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
    requirePositionals(positionals, 0, "");
    const dir = await uninstallKernelSpec(targetOf(values, io.cwd), { env: io.env });
    if (values.json === true) println(io.stdout, JSON.stringify({ name: "trainset", dir }, null, 2));
    else println(io.stdout, `Removed kernel spec "trainset" from ${dir}`);
    return 0;
  },
};
