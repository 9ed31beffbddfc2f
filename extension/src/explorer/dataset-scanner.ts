/**
 * Finds datasets in the workspace by reading file heads in the extension host (no CLI, so it also
 * works in an untrusted workspace). Bounded: at most `trainset.maxScanFiles` candidates, 8 KiB each.
 */
import { open, readdir } from "node:fs/promises";
import { basename, dirname } from "node:path";
import * as vscode from "vscode";
import { CANDIDATE_GLOB, EXCLUDE_GLOB, classifyFile, classifyFolder, isRunMarker, type DatasetKind } from "./dataset-kind.js";

/** A dataset found on disk. */
export interface FoundDataset {
  kind: DatasetKind;
  /** Absolute path of the file or folder (what the CLI gets). */
  path: string;
  uri: vscode.Uri;
  /** The workspace folder it belongs to. */
  folder: vscode.WorkspaceFolder | undefined;
}

const HEAD_BYTES = 8192;

async function readHead(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}

async function entriesOf(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

/** Scans every workspace folder; results sorted by kind then path. */
export async function scanWorkspace(token?: vscode.CancellationToken): Promise<FoundDataset[]> {
  const max = vscode.workspace.getConfiguration("trainset").get<number>("maxScanFiles", 20000);
  const uris = await vscode.workspace.findFiles(CANDIDATE_GLOB, EXCLUDE_GLOB, max, token);
  const found = new Map<string, FoundDataset>();
  const folderChecks = new Map<string, string[]>();
  const add = (kind: DatasetKind, path: string): void => {
    if (found.has(path)) return;
    const uri = vscode.Uri.file(path);
    found.set(path, { kind, path, uri, folder: vscode.workspace.getWorkspaceFolder(uri) });
  };
  // Read heads with bounded parallelism: hundreds of datasets stay quick without file-handle storms.
  const queue = [...uris];
  const worker = async (): Promise<void> => {
    for (let uri = queue.shift(); uri !== undefined; uri = queue.shift()) {
      if (token?.isCancellationRequested === true) return;
      const path = uri.fsPath;
      const name = basename(path);
      if (name === "manifest.jsonl" || isRunMarker(name)) {
        const list = folderChecks.get(dirname(path)) ?? [];
        list.push(name);
        folderChecks.set(dirname(path), list);
        if (name === "manifest.jsonl") continue;
      }
      const kind = classifyFile(path, await readHead(path).catch(() => ""));
      if (kind !== undefined) add(kind, path);
    }
  };
  await Promise.all(Array.from({ length: 16 }, () => worker()));
  const runParents = new Map<string, number>();
  for (const [dir, names] of folderChecks) {
    if (names.includes("manifest.jsonl")) {
      const kind = classifyFolder(await entriesOf(dir), 0);
      if (kind !== undefined) add(kind, dir);
    }
    if (names.some(isRunMarker)) runParents.set(dirname(dir), (runParents.get(dirname(dir)) ?? 0) + 1);
  }
  for (const [parent, runs] of runParents) if (classifyFolder([], runs) === "runs-folder") add("runs-folder", parent);
  return [...found.values()].sort((a, b) => (a.kind === b.kind ? (a.path < b.path ? -1 : 1) : a.kind < b.kind ? -1 : 1));
}
