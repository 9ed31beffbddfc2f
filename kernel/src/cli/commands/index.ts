/** Every `trainset` sub-command, in the order `trainset --help` lists them. */
import type { CliCommand } from "../command.js";
import { validateCommand } from "./validate.js";
import { statsCommand } from "./stats.js";
import { doctorCommand } from "./doctor.js";
import { demoCommand } from "./demo.js";
import { kernelInstallCommand, kernelUninstallCommand } from "./kernel-install.js";
import { historicalCommand } from "./historical.js";
import { splitCommand } from "./split.js";
import { checkLeaksCommand } from "./check-leaks.js";

export const commands: readonly CliCommand[] = [
  validateCommand,
  statsCommand,
  doctorCommand,
  demoCommand,
  kernelInstallCommand,
  kernelUninstallCommand,
  historicalCommand,
  splitCommand,
  checkLeaksCommand,
  // (more commands are added one per line above this comment)
];
