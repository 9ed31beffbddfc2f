/** Puts `trainset validate --json` issues into the Problems panel with file:line. */
import { statSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { issuesByFile, type DatasetValidation } from "./dataset-report.js";

function fileOf(path: string): string {
  // A run-record folder's folder-level issues point at its manifest.
  try {
    return statSync(path).isDirectory() ? join(path, "manifest.jsonl") : path;
  } catch {
    return path;
  }
}

/** Replaces the diagnostics of the validated datasets' files. */
export function publishDiagnostics(collection: vscode.DiagnosticCollection, results: readonly DatasetValidation[], previous: Map<string, string[]>): void {
  for (const result of results) {
    for (const file of previous.get(result.path) ?? []) collection.delete(vscode.Uri.file(file));
  }
  for (const [file, issues] of issuesByFile(results)) {
    const target = fileOf(file);
    const diagnostics = issues.map((issue) => {
      const range = new vscode.Range(issue.line0, 0, issue.line0, Number.MAX_SAFE_INTEGER);
      const text = issue.field === undefined ? issue.message : `${issue.message} (${issue.field})`;
      const diagnostic = new vscode.Diagnostic(range, text, issue.severity === "error" ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      diagnostic.source = "trainset";
      diagnostic.code = issue.rule;
      return diagnostic;
    });
    collection.set(vscode.Uri.file(target), diagnostics);
  }
  for (const result of results) previous.set(result.path, [...new Set(result.issues.map((i) => fileOf(i.file ?? result.path)))]);
}
