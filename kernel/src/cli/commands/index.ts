/** Every `trainset` sub-command, in the order `trainset --help` lists them. */
import type { CliCommand } from "../command.js";
import { validateCommand } from "./validate.js";
import { statsCommand } from "./stats.js";
import { doctorCommand } from "./doctor.js";
import { demoCommand } from "./demo.js";
import { kernelInstallCommand, kernelUninstallCommand } from "./kernel-install.js";
import { historicalCommand } from "./historical.js";
import { exportFramesCommand } from "./export-frames.js";
import { ensureSegmentAnnotationsCommand } from "./ensure-segment-annotations.js";
import { checkExportCommand } from "./check-export.js";
import { exportAiDatasetCommand } from "./export-ai-dataset.js";
import { splitCommand } from "./split.js";
import { checkLeaksCommand } from "./check-leaks.js";
import { trainCommand } from "./train.js";
import { embedCommand } from "./embed.js";
import { predictCommand } from "./predict.js";
import { evalCommand } from "./eval.js";
import { convertCommand } from "./convert.js";
import { exportRunsCommand } from "./export-runs.js";
import { prepareCommand } from "./prepare.js";

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
  convertCommand,
  exportFramesCommand,
  ensureSegmentAnnotationsCommand,
  checkExportCommand,
  exportAiDatasetCommand,
  exportRunsCommand,
  prepareCommand,
  trainCommand,
  embedCommand,
  predictCommand,
  evalCommand,
  // (more commands are added one per line above this comment)
];
