/** `trainset preflight`: can this machine train on the user's annotations? */
import { parseArgs } from "node:util";
import { preflightProblem, runPreflight } from "../../service/preflight.js";
import { numberFlag } from "../args.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { printJson, serviceFlags, serviceFlagsHelp, storeRootFor } from "./service-options.js";

const usage = `Usage: trainset preflight [options]

Checks before training (seed 004): GPU and VRAM (nvidia-smi; none = CPU, 10-50x slower),
RAM >= 8 GB, free disk >= 2 GB at the store, at least 20 annotations (100+ recommended), and
estimates the training time. Exit 1 when a minimum is not met (training would be blocked);
with --json the blocked result carries the seed's error body under "problem".

Options:
${serviceFlagsHelp}
  --annotations N   judge this count instead of the user's stored annotations`;

/** The `preflight` command. */
export const preflightCommand: CliCommand = {
  name: "preflight",
  summary: "check GPU, RAM, disk and annotation count before training",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...serviceFlags, annotations: { type: "string" } } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const count = numberFlag("annotations", values.annotations, { min: 0, integer: true });
    const r = await runPreflight(storeRootFor(values, io), { ...(values.user === undefined ? {} : { user: values.user }), ...(count === undefined ? {} : { annotationCount: count }) });
    if (values.json === true) printJson(io, r.meetsMinimumRequirements ? r : { ...r, problem: preflightProblem(r) });
    else {
      const s = r.system;
      const GiB = 1024 ** 3;
      println(io.stdout, `GPU:          ${s.gpu === undefined ? "none (CPU training)" : `${s.gpu.name}, ${(s.gpu.vramBytes / GiB).toFixed(1)} GB VRAM`}`);
      println(io.stdout, `RAM:          ${(s.ramBytes / GiB).toFixed(1)} GB`);
      println(io.stdout, `disk free:    ${s.diskFreeBytes === undefined ? "unknown" : `${(s.diskFreeBytes / GiB).toFixed(1)} GB`} at ${s.diskPath}`);
      println(io.stdout, `annotations:  ${r.annotationCount}`);
      println(io.stdout, `estimate:     ${r.estimatedMinutes} minutes`);
      for (const e of r.errors) println(io.stdout, `ERROR   ${e}`);
      for (const w of r.warnings) println(io.stdout, `WARNING ${w}`);
      for (const x of r.recommendations) println(io.stdout, `TIP     ${x}`);
      println(io.stdout, r.meetsMinimumRequirements ? "preflight passed" : "preflight FAILED: training is blocked");
    }
    return r.meetsMinimumRequirements ? 0 : 1;
  },
};
