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
import { trainImportanceCommand } from "./train-importance.js";
import { trainPreferenceCommand } from "./train-preference.js";
import { convertCommand } from "./convert.js";
import { exportRunsCommand } from "./export-runs.js";
import { prepareCommand } from "./prepare.js";
import { bundleCommand, bundleInspectCommand } from "./bundle.js";
import { unbundleCommand } from "./unbundle.js";
import { keygenCommand } from "./keygen.js";
import { serveCommand, serveTokenCommand } from "./serve.js";
import { workerCommand } from "./worker.js";
import { jobsCommands } from "./jobs.js";
import { kernelBridgeCommand } from "./kernel-bridge.js";

import { annotationsCommand } from "./annotations.js"; import { modelsCommand } from "./models.js"; import { preflightCommand } from "./preflight.js"; import { auditCommand } from "./audit.js"; import { adviceCommand } from "./advice.js"; import { analyzeCommand } from "./analyze.js";
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
  trainImportanceCommand,
  trainPreferenceCommand,
  kernelBridgeCommand,
  workerCommand,
  ...jobsCommands,
  serveCommand, serveTokenCommand,
  bundleCommand,
  bundleInspectCommand,
  unbundleCommand,
  keygenCommand,
  annotationsCommand, modelsCommand, preflightCommand, auditCommand, adviceCommand, analyzeCommand,
  // (more commands are added one per line above this comment)
];
