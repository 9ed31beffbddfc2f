/**
 * Which trainset dataset a file or folder is, from its name and first bytes. Mirrors the CLI's
 * detection (kernel/src/formats/*-handler.ts) closely enough to list datasets without running
 * anything, so an untrusted workspace still shows them. Pure: no vscode, no I/O.
 */

/** The kinds the explorer lists. */
export type DatasetKind = "coco" | "run-record" | "frame-table" | "legacy-jsonl" | "pairs" | "runs-folder";

/** Group titles in the explorer, in display order. */
export const KIND_TITLES: Readonly<Record<DatasetKind, string>> = {
  coco: "COCO files",
  "run-record": "Run-record folders",
  "frame-table": "Frame-annotation tables",
  "legacy-jsonl": "Legacy multilabel JSONL",
  pairs: "Preference pairs",
  "runs-folder": "Training runs folders",
};

/** Folder names never searched (media, dependencies, caches). */
export const SKIPPED_FOLDERS: readonly string[] = ["node_modules", ".git", "images", "frames", "annotations", "videos", "screenshots", ".trainset"];

/** The glob the scanner hands to `workspace.findFiles`. */
export const CANDIDATE_GLOB = "**/*.{json,jsonl,csv}";

/** The exclude glob matching {@link SKIPPED_FOLDERS}. */
export const EXCLUDE_GLOB = `**/{${SKIPPED_FOLDERS.join(",")}}/**`;

function firstLine(head: string): string {
  return head.replace(/^\ufeff/, "").split("\n").find((line) => line.trim() !== "")?.trim() ?? "";
}

/**
 * Classifies a file from its path and first bytes; `undefined` when it is no dataset.
 * @example classifyFile("coco/dataset.json", '{"images": [') // "coco"
 */
export function classifyFile(path: string, head: string): DatasetKind | undefined {
  const lower = path.toLowerCase();
  const text = head.replace(/^\ufeff/, "").trimStart();
  if (lower.endsWith(".json")) {
    if (text.startsWith("{")) return /"images"\s*:\s*\[/.test(text) && /"(file_name|annotations|categories)"\s*:/.test(text) ? "coco" : undefined;
    if (text.startsWith("[") && text.includes('"frame_relative_path"') && text.includes('"annotation_id"')) return "frame-table";
    return undefined;
  }
  if (lower.endsWith(".csv")) {
    const columns = firstLine(text).split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
    if (columns.includes("annotation_id") && columns.includes("frame_relative_path")) return "frame-table";
    if (columns.includes("chosen_path") && columns.includes("neg_paths")) return "pairs";
    return undefined;
  }
  if (lower.endsWith(".jsonl")) {
    const line = firstLine(text);
    if (line.includes('"old_id"') && line.includes('"filename"')) return "legacy-jsonl";
    if (line.startsWith("{") && line.includes('"chosen_path"') && line.includes('"neg_paths"')) return "pairs";
  }
  return undefined;
}

/**
 * Classifies a folder from its entry names: a run-record folder has `manifest.jsonl` plus
 * `annotations/` or `images/`; a runs folder holds run folders (`<id>/meta.json` or `history.jsonl`).
 * @example classifyFolder(["manifest.jsonl", "images"], []) // "run-record"
 */
export function classifyFolder(entries: readonly string[], runChildren: number): DatasetKind | undefined {
  if (entries.includes("manifest.jsonl") && (entries.includes("annotations") || entries.includes("images"))) return "run-record";
  return runChildren > 0 ? "runs-folder" : undefined;
}

/** True for a training run folder's marker file (`runs/<id>/meta.json` or `history.jsonl`). */
export function isRunMarker(name: string): boolean {
  return name === "meta.json" || name === "history.jsonl";
}
