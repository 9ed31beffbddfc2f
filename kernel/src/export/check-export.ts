/**
 * The seed's practical checks on an export folder, as pass/fail/skip lines: rows > 0, frame paths
 * resolve under `frames/`, the videos were anonymisation-validated, AI datasets have the image
 * multilabel type.
 */
import { accessSync } from "node:fs";
import { access, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { readFrameTable, type FrameAnnotationRow } from "../formats/frame-table.js";
import { errorMessage } from "../util/errors.js";
import type { VideoSource } from "./video-source.js";

/** One check's verdict. */
export interface ExportCheck {
  name: string;
  status: "pass" | "fail" | "skip";
  detail: string;
}

/** Options of {@link checkExport}. */
export interface CheckExportOptions {
  /** The table, relative to the folder (default: annotations.csv, else annotations.json). */
  table?: string;
  /** Where to look up the videos' anonymisation flags (skipped when absent). */
  source?: VideoSource;
  /** Receives the table's name and rows once parsed, so a caller needs no second parse. */
  onTable?: (name: string, rows: FrameAnnotationRow[]) => void;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Sync twin of {@link exists} for the per-row frame checks: an async call per row costs far more than the syscall. */
function existsNow(path: string): boolean {
  try {
    accessSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Rows checked between event-loop turns in the frame-path check. */
const YIELD_EVERY = 1024;

async function checkTable(dir: string, options: CheckExportOptions, add: (name: string, status: ExportCheck["status"], detail: string) => void): Promise<void> {
  let tableName = options.table;
  if (tableName === undefined) for (const n of ["annotations.csv", "annotations.json"]) if (tableName === undefined && (await exists(join(dir, n)))) tableName = n;
  if (tableName === undefined) {
    add("annotation table", "fail", `no annotations.csv or annotations.json in "${dir}"`);
    return;
  }
  let rows;
  try {
    const table = await readFrameTable(join(dir, tableName), { mode: "collect" });
    const errors = table.issues.filter((i) => i.severity === "error");
    add("annotation table", errors.length === 0 ? "pass" : "fail", errors.length === 0 ? `${tableName} is a valid frame-annotation table` : `${tableName}: ${errors.length} errors, first: ${errors[0]?.message ?? ""}`);
    rows = table.rows;
    options.onTable?.(tableName, rows);
  } catch (error) {
    add("annotation table", "fail", errorMessage(error));
    return;
  }
  add("non-zero rows", rows.length > 0 ? "pass" : "fail", `${rows.length} annotation rows`);
  const framesDir = join(dir, "frames");
  if (!(await exists(framesDir))) add("frame paths", "skip", "no frames/ folder (frames not exported)");
  else {
    const missing: string[] = [];
    const checked = new Set<string>();
    for (const row of rows) {
      const key = `${row.video_id}/${row.frame_relative_path}`;
      if (checked.has(key)) continue;
      checked.add(key);
      if (!existsNow(join(framesDir, row.frame_relative_path)) && !existsNow(join(framesDir, `video_${row.video_id}`, row.frame_relative_path))) missing.push(row.frame_relative_path);
      if (checked.size % YIELD_EVERY === 0) await new Promise<void>((res) => setImmediate(res));
    }
    add("frame paths", missing.length === 0 ? "pass" : "fail", missing.length === 0 ? `all ${checked.size} frame files resolve under frames/` : `${missing.length} of ${checked.size} frame files missing, e.g. ${missing.slice(0, 3).join(", ")}`);
  }
  const source = options.source;
  if (source === undefined) add("anonymization validated", "skip", "no video library given (--library)");
  else {
    const bad: number[] = [];
    for (const id of new Set(rows.map((r) => r.video_id))) {
      try {
        if (!source.getVideo(id).state.anonymization_validated) bad.push(id);
      } catch {
        bad.push(id);
      }
    }
    add("anonymization validated", bad.length === 0 ? "pass" : "fail", bad.length === 0 ? "every exported video is anonymization-validated" : `videos ${bad.join(", ")} are not anonymization-validated (or unknown)`);
  }
}

/**
 * Runs the practical checks; `ok` is false when any check fails.
 * @example const { ok, checks } = await checkExport("data/export/video_1");
 */
export async function checkExport(dir: string, options: CheckExportOptions = {}): Promise<{ ok: boolean; checks: ExportCheck[] }> {
  const checks: ExportCheck[] = [];
  const add = (name: string, status: ExportCheck["status"], detail: string): void => void checks.push({ name, status, detail });
  await checkTable(dir, options, add);
  const aiDir = join(dir, "ai_datasets");
  const aiFiles = (await exists(aiDir)) ? (await readdir(aiDir)).filter((f) => f.endsWith(".json")) : [];
  if (aiFiles.length === 0) add("dataset type", "skip", "no ai_datasets/*.json");
  for (const f of aiFiles) {
    try {
      const data = JSON.parse(await readFile(join(aiDir, f), "utf8")) as { dataset_type?: unknown; ai_model_type?: unknown };
      const ok = data.dataset_type === "image" && data.ai_model_type === "image_multilabel_classification";
      add("dataset type", ok ? "pass" : "fail", `${f}: dataset_type ${String(data.dataset_type)}, ai_model_type ${String(data.ai_model_type)}${ok ? "" : " (image multilabel training needs image / image_multilabel_classification)"}`);
    } catch (error) {
      add("dataset type", "fail", `${f}: ${errorMessage(error)}`);
    }
  }
  return { ok: checks.every((c) => c.status !== "fail"), checks };
}
