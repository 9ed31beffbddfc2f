/**
 * Context actions on datasets: open, validate, stats, split…, export…, check leaks, create an
 * encrypted bundle. Each runs the CLI under a cancellable progress notification.
 */
import { basename, dirname, join } from "node:path";
import * as vscode from "vscode";
import { CliUnavailableError, runCliWithProgress, showCliError, stderrTail, type RunCliResult } from "../cli/trainset-cli.js";
import { openViewer } from "../editors/index.js";
import { parseStatsOutput } from "./dataset-report.js";
import type { FoundDataset } from "./dataset-scanner.js";
import type { DatasetNode } from "./dataset-tree.js";
import type { Explorer } from "./register-explorer.js";
import { showStatsPanel } from "./stats-panel.js";

type Target = DatasetNode | vscode.Uri | undefined;

function datasetOf(explorer: Explorer, target: Target): FoundDataset | undefined {
  if (target instanceof vscode.Uri) return explorer.store.find(target.fsPath) ?? explorer.store.datasets.find((d) => target.fsPath.startsWith(`${d.path}/`));
  if (target?.type === "dataset") return target.dataset;
  return explorer.store.selected;
}

async function pickDataset(explorer: Explorer, target: Target, placeHolder: string): Promise<FoundDataset | undefined> {
  const known = datasetOf(explorer, target);
  if (known !== undefined) return known;
  const picked = await vscode.window.showQuickPick(
    explorer.store.datasets.filter((d) => d.kind !== "runs-folder").map((d) => ({ label: vscode.workspace.asRelativePath(d.uri), description: d.kind, dataset: d })),
    { placeHolder },
  );
  return picked?.dataset;
}

function finished(action: string, result: RunCliResult, okCodes: readonly number[] = [0]): boolean {
  if (result.cancelled) {
    void vscode.window.showInformationMessage(`trainset: ${action} cancelled.`);
    return false;
  }
  if (result.code === null || !okCodes.includes(result.code)) {
    void vscode.window.showErrorMessage(`trainset: cannot ${action}: ${stderrTail(result) || `exit code ${String(result.code)}`}`);
    return false;
  }
  return true;
}

function guard(action: string, work: (target: Target) => Promise<void>): (target: Target) => Promise<void> {
  return async (target) => {
    try {
      await work(target);
    } catch (error) {
      if (error instanceof CliUnavailableError) void vscode.window.showErrorMessage(`trainset: ${error.message}`);
      else showCliError(action, error);
    }
  };
}

/** Registers the dataset commands. */
export function registerDatasetCommands(explorer: Explorer, context: vscode.ExtensionContext): vscode.Disposable {
  const name = (d: FoundDataset): string => vscode.workspace.asRelativePath(d.uri);
  const command = (id: string, action: string, work: (target: Target) => Promise<void>): vscode.Disposable => vscode.commands.registerCommand(id, guard(action, work));
  return vscode.Disposable.from(
    command("trainset.refreshDatasets", "refresh datasets", () => explorer.refresh()),
    command("trainset.openDataset", "open the dataset", async (target) => {
      const dataset = datasetOf(explorer, target);
      if (dataset === undefined) return;
      explorer.store.selected = dataset;
      await openViewer(dataset);
    }),
    command("trainset.validate", "validate", async (target) => {
      const dataset = await pickDataset(explorer, target, "Dataset to validate");
      if (dataset === undefined) return;
      const problems = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Validating ${name(dataset)}`, cancellable: true }, (_p, token) => explorer.validate([dataset], token));
      const result = explorer.store.validation.get(dataset.path);
      const summary = result === undefined ? "no result" : `${result.errors} error${result.errors === 1 ? "" : "s"}, ${result.warnings} warning${result.warnings === 1 ? "" : "s"}`;
      if (problems > 0) {
        const choice = await vscode.window.showWarningMessage(`trainset: ${name(dataset)}: ${summary}.`, "Show Problems");
        if (choice === "Show Problems") await vscode.commands.executeCommand("workbench.actions.view.problems");
      } else void vscode.window.showInformationMessage(`trainset: ${name(dataset)} is valid (${summary}).`);
    }),
    command("trainset.stats", "compute statistics", async (target) => {
      const dataset = await pickDataset(explorer, target, "Dataset to describe");
      if (dataset === undefined) return;
      const result = await runCliWithProgress(`Statistics of ${name(dataset)}`, ["stats", "--json", ...(dataset.kind === "runs-folder" ? [] : ["--format", dataset.kind]), dataset.path]);
      if (!finished("compute statistics", result)) return;
      const stats = parseStatsOutput(result.stdout);
      explorer.store.setCounts(stats);
      showStatsPanel(context, name(dataset), stats);
    }),
    command("trainset.split", "split the dataset", async (target) => {
      const dataset = await pickDataset(explorer, target, "Dataset to split");
      if (dataset === undefined) return;
      const ratios = await vscode.window.showInputBox({ title: "Split ratios (train=…,val=…,test=…)", value: "train=0.8,val=0.1,test=0.1" });
      if (ratios === undefined) return;
      const out = await vscode.window.showInputBox({ title: "Output folder", value: join(dirname(dataset.path), `${basename(dataset.path).replace(/\.[^.]+$/, "")}-splits`) });
      if (out === undefined) return;
      const result = await runCliWithProgress(`Splitting ${name(dataset)}`, ["split", "--input", dataset.path, "--format", dataset.kind, "--out", out, "--ratios", ratios]);
      if (finished("split the dataset", result)) void vscode.window.showInformationMessage(`trainset: split written to ${out}.`);
    }),
    command("trainset.export", "export the dataset", async (target) => {
      const dataset = await pickDataset(explorer, target, "Dataset to export");
      if (dataset === undefined) return;
      const to = dataset.kind === "run-record" ? "coco" : dataset.kind === "coco" ? "run-record" : undefined;
      if (to === undefined) {
        void vscode.window.showInformationMessage(`trainset: ${dataset.kind} datasets export with the CLI (trainset export --help); the explorer converts COCO ⇄ run-record folders.`);
        return;
      }
      const defaultOut = to === "coco" ? join(dataset.path, "dataset.json") : join(dirname(dataset.path), `${basename(dataset.path, ".json")}-run-record`);
      const out = await vscode.window.showInputBox({ title: `Export as ${to}: output ${to === "coco" ? "file" : "folder"}`, value: defaultOut });
      if (out === undefined) return;
      const result = await runCliWithProgress(`Exporting ${name(dataset)} as ${to}`, ["convert", dataset.path, "--to", to, "--out", out, "--quiet"]);
      if (finished("export the dataset", result)) void vscode.window.showInformationMessage(`trainset: exported to ${out}.`);
    }),
    command("trainset.checkLeaks", "check for leaks", async (target) => {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: true, canSelectFolders: true, canSelectFiles: true, title: "Split files to compare (two or more)", ...(datasetOf(explorer, target) === undefined ? {} : { defaultUri: vscode.Uri.file(dirname(datasetOf(explorer, target)?.path ?? "")) }) });
      if (picked === undefined || picked.length < 2) return;
      const result = await runCliWithProgress("Checking split files for leaks", ["check-leaks", ...picked.map((u) => u.fsPath), "--json", "--quiet"]);
      if (!finished("check for leaks", result, [0, 1])) return;
      if (result.code === 1) void vscode.window.showWarningMessage(`trainset: leaks found between the split files. ${result.stdout.slice(0, 400)}`);
      else void vscode.window.showInformationMessage("trainset: no leaks between the split files.");
    }),
    command("trainset.createBundle", "create an encrypted bundle", async (target) => {
      const dataset = await pickDataset(explorer, target, "Export folder (or its annotation table) to bundle");
      if (dataset === undefined) return;
      // `trainset bundle` takes an export folder: the folder of a frame table, or a dataset folder.
      const exportDir = dataset.kind === "run-record" || dataset.kind === "runs-folder" ? dataset.path : dirname(dataset.path);
      const library = await vscode.window.showOpenDialog({ title: "The video library the export came from (library.json)", canSelectMany: false, filters: { JSON: ["json"] } });
      if (library?.[0] === undefined) return;
      const recipient = await vscode.window.showInputBox({ title: "age recipient public key (age1…)", placeHolder: "age1…", validateInput: (v) => (v.startsWith("age1") ? undefined : "an age public key starts with age1") });
      if (recipient === undefined) return;
      const out = await vscode.window.showInputBox({ title: "Bundle file", value: `${exportDir.replace(/\/$/, "")}.tar.age` });
      if (out === undefined) return;
      const result = await runCliWithProgress(`Creating an encrypted bundle of ${vscode.workspace.asRelativePath(exportDir)}`, ["bundle", exportDir, "--out", out, "--library", library[0].fsPath, "--recipient", recipient, "--quiet"]);
      if (finished("create an encrypted bundle", result)) void vscode.window.showInformationMessage(`trainset: encrypted bundle written to ${out}.`);
    }),
  );
}
