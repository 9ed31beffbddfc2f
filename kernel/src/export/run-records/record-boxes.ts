/** The boxes one run record contributes (seed 002): its template match and its click. */
import { sha256Hex } from "../../util/hashing.js";
import type { RunRecordAnnotation, RunRecordBbox } from "../../formats/run-record.js";
import type { ActionExecutionRecord } from "./action-record.js";

/** Side of the box inferred around a click, in pixels. */
export const CLICK_BOX_SIZE = 50;

/** A box before it gets its category id. */
export interface PendingBox {
  bbox: RunRecordBbox;
  category_name: string;
  confidence: number;
  source: RunRecordAnnotation["source"];
  verified: boolean;
}

/**
 * The 50×50 box centred on a click, clamped to the image as qontinui does:
 * `x = max(0, cx-25)`, `w = min(50, W-x)`; undefined when the click is outside the image.
 * @example clickBox(10, 10, 1920, 1080) // [0, 0, 50, 50]
 */
export function clickBox(cx: number, cy: number, width: number, height: number): RunRecordBbox | undefined {
  const half = CLICK_BOX_SIZE / 2;
  const x = Math.max(0, cx - half);
  const y = Math.max(0, cy - half);
  const w = Math.min(CLICK_BOX_SIZE, width - x);
  const h = Math.min(CLICK_BOX_SIZE, height - y);
  if (w <= 0 || h <= 0) return undefined;
  return [x, y, w, h];
}

/**
 * The template-match box `[x, y, template width, template height]`, clipped to the image;
 * undefined when the match was not found, lacks a location or size, or lies outside the image.
 * @example matchBox({ found: true, location: { x: 10, y: 20 }, template_size: { width: 30, height: 15 }, image_id: "ok", confidence: 0.9 }, 640, 480)
 */
export function matchBox(match: ActionExecutionRecord["match_summary"], width: number, height: number): RunRecordBbox | undefined {
  if (match === null || !match.found || match.location === null || match.template_size === null) return undefined;
  const x0 = Math.max(0, match.location.x);
  const y0 = Math.max(0, match.location.y);
  const x1 = Math.min(width, match.location.x + match.template_size.width);
  const y1 = Math.min(height, match.location.y + match.template_size.height);
  if (x1 - x0 <= 0 || y1 - y0 <= 0) return undefined;
  return [x0, y0, x1 - x0, y1 - y0];
}

/** Whether a record has a usable template match (found, with location and size). */
export function hasMatch(record: ActionExecutionRecord): boolean {
  const m = record.match_summary;
  return m !== null && m.found && m.location !== null && m.template_size !== null;
}

/**
 * The boxes of one record on a `width` × `height` screenshot: the match (category = template
 * name, `verified: false`) and the click (category = click_target_type or `click_target`,
 * confidence 1, `verified: true`).
 * @example recordBoxes(record, 1920, 1080).map((b) => b.source) // ["template_matching", "user_click"]
 */
export function recordBoxes(record: ActionExecutionRecord, width: number, height: number): PendingBox[] {
  const boxes: PendingBox[] = [];
  const match = record.match_summary;
  const m = matchBox(match, width, height);
  if (m !== undefined && match !== null) {
    boxes.push({ bbox: m, category_name: match.image_id ?? "template_match", confidence: match.confidence ?? 0, source: "template_matching", verified: false });
  }
  if (record.clicked_location !== null) {
    const c = clickBox(record.clicked_location[0], record.clicked_location[1], width, height);
    if (c !== undefined) {
      boxes.push({ bbox: c, category_name: record.click_target_type ?? "click_target", confidence: 1, source: "user_click", verified: true });
    }
  }
  return boxes;
}

/**
 * The key that says a record was already exported: the first 16 hex of the SHA-256 of
 * `action_id`, `start_time` and `screenshot_reference` (JSON array). Two records with the same
 * three are the same action.
 * @example recordKey(record) // "9c0e…" (16 hex)
 */
export function recordKey(record: ActionExecutionRecord): string {
  return sha256Hex(JSON.stringify([record.action_id, record.start_time, record.screenshot_reference])).slice(0, 16);
}
