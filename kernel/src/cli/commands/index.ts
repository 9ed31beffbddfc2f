/** Every `trainset` sub-command, in the order `trainset --help` lists them. */
import type { CliCommand } from "../command.js";

export const commands: readonly CliCommand[] = [];
