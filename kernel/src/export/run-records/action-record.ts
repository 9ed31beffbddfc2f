/**
 * qontinui-runner's `ActionExecutionRecord` (seed 002), one JSON object per line of a records
 * file: what an automation action did, with the screenshot taken before it.
 */
import { isAbsolute } from "node:path";
import { TrainsetError } from "../../util/errors.js";
import { readJsonl } from "../../util/jsonl.js";
import type { RunControl } from "../../util/run-control.js";

/** `match_summary`: the template match that found the action's target. */
export interface MatchSummary {
  found: boolean;
  /** Top-left corner of the match, in screenshot pixels. */
  location: { x: number; y: number } | null;
  template_size: { width: number; height: number } | null;
  /** The template's name; it becomes the category name. */
  image_id: string | null;
  /** 0..1. */
  confidence: number | null;
}

/** One action of a run, as qontinui-runner records it. */
export interface ActionExecutionRecord {
  action_id: string | null;
  /** `CLICK`, `FIND`, `TYPE`… */
  action_type: string | null;
  /** Unix seconds (float). */
  start_time: number | null;
  success: boolean | null;
  /** Screenshot path relative to the run folder; the record is skipped without one. */
  screenshot_reference: string | null;
  match_summary: MatchSummary | null;
  /** `[x, y]` in screenshot pixels. */
  clicked_location: [number, number] | null;
  /** Category name of the click box (default `click_target`). */
  click_target_type: string | null;
  active_states_before: string[];
}

/** Where a record came from, for messages. */
export interface RecordSource {
  file?: string;
  line?: number;
}

type Json = Record<string, unknown>;

function fail(source: RecordSource, field: string, problem: string): never {
  const where = `${source.file === undefined ? "run record" : `run record "${source.file}"`}${source.line === undefined ? "" : ` line ${source.line}`}`;
  throw new TrainsetError("VALIDATION_ERROR", `Cannot read ${where}: ${field} ${problem}`, {
    ...(source.file === undefined ? {} : { file: source.file }),
    ...(source.line === undefined ? {} : { line: source.line }),
    field,
  });
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function optString(obj: Json, key: string, source: RecordSource, path = key): string | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") fail(source, path, `is ${show(value)}; it must be a string or null`);
  return value;
}

function optNumber(obj: Json, key: string, source: RecordSource, path = key): number | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) fail(source, path, `is ${show(value)}; it must be a finite number or null`);
  return value;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseMatch(value: unknown, source: RecordSource): MatchSummary | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) fail(source, "match_summary", `is ${show(value)}; it must be an object or null`);
  const found = value.found;
  if (found !== undefined && found !== null && typeof found !== "boolean") fail(source, "match_summary.found", `is ${show(found)}; it must be true or false`);
  let location: MatchSummary["location"] = null;
  if (value.location !== undefined && value.location !== null) {
    if (!isObject(value.location)) fail(source, "match_summary.location", `is ${show(value.location)}; it must be {"x": …, "y": …}`);
    const x = optNumber(value.location, "x", source, "match_summary.location.x");
    const y = optNumber(value.location, "y", source, "match_summary.location.y");
    if (x === null || y === null) fail(source, "match_summary.location", `is ${show(value.location)}; it needs numbers x and y`);
    location = { x, y };
  }
  let size: MatchSummary["template_size"] = null;
  if (value.template_size !== undefined && value.template_size !== null) {
    if (!isObject(value.template_size)) fail(source, "match_summary.template_size", `is ${show(value.template_size)}; it must be {"width": …, "height": …}`);
    const width = optNumber(value.template_size, "width", source, "match_summary.template_size.width");
    const height = optNumber(value.template_size, "height", source, "match_summary.template_size.height");
    if (width === null || height === null || width < 0 || height < 0)
      fail(source, "match_summary.template_size", `is ${show(value.template_size)}; it needs non-negative width and height`);
    size = { width, height };
  }
  const confidence = optNumber(value, "confidence", source, "match_summary.confidence");
  if (confidence !== null && (confidence < 0 || confidence > 1)) fail(source, "match_summary.confidence", `is ${confidence}; it must be between 0 and 1`);
  return { found: found === true, location, template_size: size, image_id: optString(value, "image_id", source, "match_summary.image_id"), confidence };
}

/**
 * Checks one parsed record (pure) and returns it typed; throws a TrainsetError naming file, line
 * and field. Unknown fields are ignored, missing optional ones become null.
 * @example
 * parseActionRecord({ action_id: "a1", screenshot_reference: "screenshots/1.png" }, { file: "records.jsonl", line: 1 });
 */
export function parseActionRecord(value: unknown, source: RecordSource = {}): ActionExecutionRecord {
  if (!isObject(value)) fail(source, "record", `is ${show(value)}; it must be a JSON object`);
  const screenshot = optString(value, "screenshot_reference", source);
  if (screenshot !== null && (isAbsolute(screenshot) || screenshot.split(/[\\/]/).includes("..")))
    fail(source, "screenshot_reference", `is "${screenshot}"; it must be a path inside the run folder`);
  const success = value.success;
  if (success !== undefined && success !== null && typeof success !== "boolean") fail(source, "success", `is ${show(success)}; it must be true, false or null`);
  let clicked: [number, number] | null = null;
  const click = value.clicked_location;
  if (click !== undefined && click !== null) {
    if (!Array.isArray(click) || click.length !== 2 || !click.every((v) => typeof v === "number" && Number.isFinite(v)))
      fail(source, "clicked_location", `is ${show(click)}; it must be [x, y]`);
    clicked = [click[0] as number, click[1] as number];
  }
  const states = value.active_states_before;
  let active: string[] = [];
  if (states !== undefined && states !== null) {
    if (!Array.isArray(states) || !states.every((s) => typeof s === "string")) fail(source, "active_states_before", `is ${show(states)}; it must be a list of state names`);
    active = states;
  }
  return {
    action_id: optString(value, "action_id", source),
    action_type: optString(value, "action_type", source),
    start_time: optNumber(value, "start_time", source),
    success: typeof success === "boolean" ? success : null,
    screenshot_reference: screenshot,
    match_summary: parseMatch(value.match_summary, source),
    clicked_location: clicked,
    click_target_type: optString(value, "click_target_type", source),
    active_states_before: active,
  };
}

/**
 * Streams a records JSONL file; a broken line throws naming `file:line` and the field.
 * @example
 * for await (const record of readActionRecords("run_001/records.jsonl")) service.add(record);
 */
export async function* readActionRecords(path: string, options: RunControl & { file?: string } = {}): AsyncGenerator<ActionExecutionRecord> {
  const file = options.file ?? path;
  for await (const { value, line } of readJsonl(path, { file, ...(options.signal === undefined ? {} : { signal: options.signal }) })) {
    yield parseActionRecord(value, { file, line });
  }
}
