/** CLI steps of the runs panel's actions (job queue and model registry). Pure: no vscode. */
import type { RunAction, RunView } from "../../../webviews/src/protocol/runs.js";

/** The CLI steps of an action on a run (the job queue and model registry commands). */
export function actionSteps(action: RunAction, run: RunView, model: string, version: string): string[][] {
  switch (action) {
    case "cancel":
      return [["jobs", "cancel", run.id, "--json"]];
    case "deploy":
      // Add the run folder as a new version, then deploy it through the metric gate.
      return [["models", "add", "--model", model, "--from", run.dir, "--json"], ["models", "deploy", "{version}", "--model", model, "--json"]];
    case "restore":
      return [["models", "restore", version, "--model", model, "--json"]];
    case "revert":
      return [["models", "revert", "--model", model, "--json"]];
  }
}

/** The `version` field of `trainset models add --json` output, if any. */
export function addedVersion(stdout: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (typeof parsed === "object" && parsed !== null && "version" in parsed && typeof parsed.version === "string") return parsed.version;
  } catch {
    return undefined;
  }
  return undefined;
}
