/** Small pieces the COCO checks share: id kinds, value display, labels, per-item slots. */
import type { IssueCollector } from "../util/issues.js";
import type { CocoAnnotation } from "./coco.js";

/** A JSON object as the checks see it. */
export type Json = Record<string, unknown>;

/** Whether a value is a plain JSON object (not null, not a list). */
export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** 0: not an id, 1: integer id, 2: string id. */
export function idKind(value: unknown): 0 | 1 | 2 {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? 1 : 0;
  if (typeof value === "string") return value.length > 0 ? 2 : 0;
  return 0;
}

/** A value for a message: JSON, shortened. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Whether a value is a finite number above zero. */
export function isPositiveNumber(value: unknown): value is number {
  return typeof value === "number" && value > 0 && Number.isFinite(value);
}

/** How a message names an item: its list position, plus its id when that differs. */
export function label(kind: string, index: number, id: unknown): string {
  return idKind(id) !== 0 && id !== index ? `${kind} ${index} (id ${show(id)})` : `${kind} ${index}`;
}

/** The position of the first item before `before` with this id, or -1. */
export function findIndexById(list: readonly unknown[], id: unknown, before: number): number {
  for (let i = 0; i < before; i++) {
    const item = list[i];
    if (isRecord(item) && item.id === id) return i;
  }
  return -1;
}

/**
 * An image or category with the annotations that point to it: one Map lookup per annotation
 * then finds both (the public index's two Maps are filled from the slots at the end).
 */
export interface Slot<T> {
  item: T;
  anns: CocoAnnotation[] | undefined;
}

/** Warns once per section about string ids, or a mix of integer and string ids. */
export function idTypeWarnings(section: string, what: string, intIds: number, stringIds: number, issues: IssueCollector): void {
  if (stringIds > 0 && intIds > 0) {
    issues.warn("mixed-id-types", `${section} mixes integer ids (${intIds}) and string ids (${stringIds}); 1 and "1" are different ids`, { field: section });
  } else if (stringIds > 0) {
    issues.warn("string-ids", `${section} use string ids (${stringIds}); trainset and pycocotools accept them, but COCOeval and most trainers expect integer ${what} ids (\`trainset convert\` writes integers)`, { field: section });
  }
}
