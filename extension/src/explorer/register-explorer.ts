/**
 * The dataset explorer: tree view in the trainset activity-bar container, scanning on start and on
 * file changes (debounced), counts and validation through the CLI when the workspace is trusted.
 */
import * as vscode from "vscode";
import { CliUnavailableError, runCli } from "../cli/trainset-cli.js";
import { parseStatsOutput, parseValidateOutput } from "./dataset-report.js";
import { publishDiagnostics } from "./dataset-diagnostics.js";
import { scanWorkspace, type FoundDataset } from "./dataset-scanner.js";
import { DatasetStore } from "./dataset-store.js";
import { DatasetTreeProvider, type DatasetNode } from "./dataset-tree.js";

/** At most this many datasets get a stats run of their own after the per-folder pass. */
const MAX_SINGLE_STATS = 25;

/** At most this many datasets are validated one by one when a folder-wide run fails. */
const MAX_SINGLE_VALIDATIONS = 50;

/** What the explorer exposes to the commands. */
export interface Explorer {
  store: DatasetStore;
  /** Rescans the workspace, then refreshes counts and validation. */
  refresh(): Promise<void>;
  /** Validates datasets (all when omitted) and publishes diagnostics. */
  validate(datasets?: readonly FoundDataset[], token?: vscode.CancellationToken): Promise<number>;
  diagnostics: vscode.DiagnosticCollection;
  log: vscode.OutputChannel;
}

/** Registers the view, watchers and diagnostics; returns the explorer and its disposable. */
export function registerExplorer(log: vscode.OutputChannel): { explorer: Explorer; disposable: vscode.Disposable } {
  const store = new DatasetStore();
  const provider = new DatasetTreeProvider(store);
  const view = vscode.window.createTreeView<DatasetNode>("trainset.datasets", { treeDataProvider: provider, showCollapseAll: true });
  const diagnostics = vscode.languages.createDiagnosticCollection("trainset");
  const previous = new Map<string, string[]>();
  const updateBadge = (): void => {
    const problems = store.problemCount();
    view.badge = problems > 0 ? { value: problems, tooltip: `${problems} dataset problem${problems === 1 ? "" : "s"} (see the Problems panel)` } : undefined;
    view.message = store.datasets.length === 0 ? "No datasets found in this workspace yet." : vscode.workspace.isTrusted ? "" : "Untrusted workspace: datasets are listed, nothing is run (no counts, no validation).";
  };
  const storeSub = store.onDidChange(updateBadge);
  const selectionSub = view.onDidChangeSelection((e) => {
    const node = e.selection[0];
    if (node?.type === "dataset") store.selected = node.dataset;
  });

  // One CLI process per workspace folder (the CLI discovers the datasets itself), so hundreds of
  // datasets cost one process start, not hundreds; a single dataset gets its own run.
  const targets = (datasets: readonly FoundDataset[] | undefined): Array<{ path: string; format?: string }> =>
    datasets === undefined
      ? (vscode.workspace.workspaceFolders ?? []).map((f) => ({ path: f.uri.fsPath }))
      : datasets.filter((d) => d.kind !== "runs-folder").map((d) => ({ path: d.path, format: d.kind }));
  const args = (command: string, target: { path: string; format?: string }): string[] => [command, "--json", ...(target.format === undefined ? [] : ["--format", target.format]), target.path];

  const explorer: Explorer = {
    store,
    diagnostics,
    log,
    async refresh() {
      store.setDatasets(await scanWorkspace());
      if (!vscode.workspace.isTrusted) return;
      try {
        for (const target of targets(undefined)) {
          const result = await runCli(args("stats", target));
          if (result.code === 0) store.setCounts(parseStatsOutput(result.stdout));
          else log.appendLine(`stats ${target.path}: ${result.stderr.trim()}`);
        }
        // Datasets the folder pass did not reach (e.g. a COCO file inside a run-record folder).
        for (const target of targets(store.datasets.filter((d) => !store.counts.has(d.path)).slice(0, MAX_SINGLE_STATS))) {
          const result = await runCli(args("stats", target));
          if (result.code === 0) store.setCounts(parseStatsOutput(result.stdout));
        }
        if (vscode.workspace.getConfiguration("trainset").get<boolean>("validateOnScan", true)) await explorer.validate();
      } catch (error) {
        if (error instanceof CliUnavailableError) {
          log.appendLine(error.message);
          view.message = error.message;
        } else throw error;
      }
    },
    async validate(datasets, token) {
      let problems = 0;
      for (const target of targets(datasets)) {
        if (token?.isCancellationRequested === true) break;
        const result = await runCli(args("validate", target), token === undefined ? {} : { token });
        if (result.cancelled) break;
        if (result.code !== 0 && result.code !== 1) {
          log.appendLine(`validate ${target.path}: ${result.stderr.trim()}`);
          // One unreadable dataset fails the folder run: validate that folder's datasets one by one.
          if (target.format === undefined) problems += await explorer.validate(store.datasets.filter((d) => d.folder?.uri.fsPath === target.path).slice(0, MAX_SINGLE_VALIDATIONS), token);
          continue;
        }
        const parsed = parseValidateOutput(result.stdout);
        problems += parsed.reduce((n, r) => n + r.errors + r.warnings, 0);
        publishDiagnostics(diagnostics, parsed, previous);
        store.setValidation(parsed);
      }
      return problems;
    },
  };

  // Refresh on dataset file changes, debounced so a burst of writes is one rescan.
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      explorer.refresh().catch((error: unknown) => log.appendLine(`refresh failed: ${String(error)}`));
    }, 800);
  };
  const watcher = vscode.workspace.createFileSystemWatcher("**/*.{json,jsonl,csv}");
  const watchSubs = [watcher.onDidCreate(schedule), watcher.onDidChange(schedule), watcher.onDidDelete(schedule), vscode.workspace.onDidGrantWorkspaceTrust(schedule), vscode.workspace.onDidChangeWorkspaceFolders(schedule)];
  schedule();
  return {
    explorer,
    disposable: vscode.Disposable.from(view, provider, store, diagnostics, watcher, storeSub, selectionSub, ...watchSubs, { dispose: () => timer !== undefined && clearTimeout(timer) }),
  };
}
