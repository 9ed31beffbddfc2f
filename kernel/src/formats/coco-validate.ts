/**
 * COCO validation in one pass per array, building the index as it goes: shape and types,
 * unique ids, annotation → image / category references, bbox / area / iscrowd / segmentation
 * sanity. Nothing is allocated per element unless an issue is reported.
 */
import { IssueCollector, type ValidationIssue, type ValidationOptions } from "../util/issues.js";
import { checkAnnotations } from "./coco-check-annotations.js";
import { checkCategories } from "./coco-check-categories.js";
import { isRecord, show, type Slot } from "./coco-check-common.js";
import { checkImages, checkInfoAndLicenses } from "./coco-check-images.js";
import { emptyCocoIndex, type CocoIndex } from "./coco-index.js";
import type { CocoAnnotation, CocoCategory, CocoId, CocoImage } from "./coco.js";

/** Knobs of the COCO checks. */
export interface CocoCheckOptions {
  /** How far (px) a bbox may reach outside its image before it is an error (default 1). */
  bboxTolerance?: number;
}

/** Options for {@link validateCoco}. */
export interface CocoValidateOptions extends ValidationOptions, CocoCheckOptions {}

function fillFromSlots<T>(slots: Map<CocoId, Slot<T>>, items: Map<CocoId, T>, anns: Map<CocoId, CocoAnnotation[]>): void {
  for (const [id, slot] of slots) {
    items.set(id, slot.item);
    if (slot.anns !== undefined) anns.set(id, slot.anns);
  }
}

/**
 * Runs every COCO check, recording issues in `issues`; returns the index built on the way, or
 * undefined when the value is too broken to index (not an object, or no images/categories lists).
 */
export function checkCoco(value: unknown, issues: IssueCollector, options: CocoCheckOptions = {}): CocoIndex | undefined {
  const tolerance = options.bboxTolerance ?? 1;
  if (!(tolerance >= 0)) throw new RangeError(`bboxTolerance must be a non-negative number, got ${tolerance}`);
  if (!isRecord(value)) {
    issues.error("not-coco", `the top level must be a JSON object with images, annotations and categories, got ${show(value)}`);
    return undefined;
  }
  const licenseIds = checkInfoAndLicenses(value, issues);
  const index = emptyCocoIndex();
  const imageSlots = new Map<CocoId, Slot<CocoImage>>();
  const categorySlots = new Map<CocoId, Slot<CocoCategory>>();
  let usable = true;
  if (!Array.isArray(value.images)) {
    issues.error("missing-images", `images must be a list, got ${show(value.images)}`, { field: "images" });
    usable = false;
  } else {
    checkImages(value.images as unknown[], issues, imageSlots, licenseIds);
  }
  if (!Array.isArray(value.categories)) {
    issues.error("missing-categories", `categories must be a list, got ${show(value.categories)}`, { field: "categories" });
    usable = false;
  } else {
    checkCategories(value.categories as unknown[], issues, categorySlots);
  }
  if (value.annotations === undefined) {
    issues.warn("missing-annotations", "there is no annotations list (an image-info file?); it is read as having no boxes", { field: "annotations" });
  } else if (!Array.isArray(value.annotations)) {
    issues.error("missing-annotations", `annotations must be a list, got ${show(value.annotations)}`, { field: "annotations" });
    usable = false;
  } else {
    checkAnnotations(value.annotations as unknown[], issues, imageSlots, categorySlots, index.annsById, tolerance);
  }
  if (!usable) return undefined;
  fillFromSlots(imageSlots, index.imagesById, index.annsByImage);
  fillFromSlots(categorySlots, index.catsById, index.annsByCategory);
  return index;
}

/**
 * Validates a parsed COCO value; returns every issue (collect mode) or throws on the first error
 * (strict mode).
 * @example
 * const issues = validateCoco(JSON.parse(text), { file: "train.json", bboxTolerance: 2 });
 * issues.filter((i) => i.severity === "error");
 */
export function validateCoco(value: unknown, options: CocoValidateOptions = {}): ValidationIssue[] {
  const issues = new IssueCollector(options.file, {
    mode: options.mode ?? "collect",
    ...(options.maxIssues === undefined ? {} : { maxIssues: options.maxIssues }),
  });
  checkCoco(value, issues, options);
  return issues.issues;
}
