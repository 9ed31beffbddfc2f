/**
 * The batch config of seed 003 (`project_paths.json`):
 * `{ "projects": [{ "name": "mojo-1", "raw_dir": "archives/mojo1_raw", "final_dir": "mojo1" }] }`.
 */
import { readFile } from "node:fs/promises";
import { ioError, TrainsetError } from "../util/errors.js";
import type { HistoricalProject } from "./extract.js";

function fail(file: string | undefined, what: string, field?: string): never {
  const where = file === undefined ? "project paths" : `project paths "${file}"`;
  throw new TrainsetError("PARSE_ERROR", `Cannot read ${where}: ${what}`, {
    ...(file === undefined ? {} : { file }),
    ...(field === undefined ? {} : { field }),
  });
}

/**
 * Parses the batch config; every project needs a unique `name`, a `raw_dir` and a `final_dir`.
 * Folders stay as written (the CLI resolves them against the working directory, as the seed's
 * script did).
 * @example parseProjectPaths('{"projects":[{"name":"a","raw_dir":"r","final_dir":"f"}]}')
 */
export function parseProjectPaths(text: string, file?: string): HistoricalProject[] {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\ufeff/, ""));
  } catch (error) {
    fail(file, `it is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const projects = (value as { projects?: unknown } | null)?.projects;
  if (typeof value !== "object" || value === null || !Array.isArray(projects)) fail(file, 'it needs a "projects" list', "projects");
  if (projects.length === 0) fail(file, '"projects" is empty', "projects");
  const names = new Set<string>();
  return projects.map((entry: unknown, i) => {
    const at = `projects[${i}]`;
    if (typeof entry !== "object" || entry === null) fail(file, `${at} is not an object`, at);
    const e = entry as Record<string, unknown>;
    for (const key of ["name", "raw_dir", "final_dir"]) {
      const v = e[key];
      if (typeof v !== "string" || v.trim() === "") fail(file, `${at}.${key} must be a non-empty string`, `${at}.${key}`);
    }
    const name = e.name as string;
    if (names.has(name)) fail(file, `${at}.name "${name}" is used twice`, `${at}.name`);
    names.add(name);
    return { name, rawDir: e.raw_dir as string, finalDir: e.final_dir as string };
  });
}

/**
 * Reads `project_paths.json`.
 * @example const projects = await readProjectPaths("data/training/project_paths.json");
 */
export async function readProjectPaths(path: string): Promise<HistoricalProject[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw ioError("read project paths", path, error);
  }
  return parseProjectPaths(text, path);
}
