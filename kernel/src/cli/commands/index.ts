/** Every `trainset` sub-command, in the order `trainset --help` lists them. */
import type { CliCommand } from "../command.js";
import { validateCommand } from "./validate.js";
import { statsCommand } from "./stats.js";
import { doctorCommand } from "./doctor.js";
import { demoCommand } from "./demo.js";

export const commands: readonly CliCommand[] = [
  validateCommand,
  statsCommand,
  doctorCommand,
  demoCommand,
  // (more commands are added one per line above this comment)
];
