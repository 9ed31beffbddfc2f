/**
 * COCO validation in one pass per array, building the index as it goes: shape and types,
 * unique ids, annotation → image / category references, bbox / area / iscrowd / segmentation
 * sanity. Nothing is allocated per element unless an issue is reported.
 */
import { IssueCollector, type ValidationIssue, type ValidationOptions } from "../util/issues.js";
import { emptyCocoIndex, type CocoIndex } from "./coco-index.js";
import type { CocoAnnotation, CocoCategory, CocoId, CocoImage } from "./coco.js";

/** Knobs of the COCO checks. */
export interface CocoCheckOptions {
  /** How far (px) a bbox may reach outside its image before it is an error (default 1). */
  bboxTolerance?: number;
}

/** Options for {@link validateCoco}. */
export interface CocoValidateOptions extends ValidationOptions, CocoCheckOptions {}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** 0: not an id, 1: integer id, 2: string id. */
function idKind(value: unknown): 0 | 1 | 2 {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? 1 : 0;
  if (typeof value === "string") return value.length > 0 ? 2 : 0;
  return 0;
}

/** A value for a message: JSON, shortened. */
function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isPositiveNumber(value: unknown): value is number {
  return typeof value === "number" && value > 0 && Number.isFinite(value);
}

/** Counts a repeated condition and reports it once, with the first place it was seen. */
class Tally {
  count = 0;
  firstField = "";
  see(field: () => string): void {
    if (this.count++ === 0) this.firstField = field();
  }
}

function label(kind: string, index: number, id: unknown): string {
  return idKind(id) !== 0 && id !== index ? `${kind} ${index} (id ${show(id)})` : `${kind} ${index}`;
}

function findIndexById(list: readonly unknown[], id: unknown, before: number): number {
  for (let i = 0; i < before; i++) {
    const item = list[i];
    if (isRecord(item) && item.id === id) return i;
  }
  return -1;
}

function checkInfoAndLicenses(root: Json, issues: IssueCollector): Set<unknown> | undefined {
  if (root.info !== undefined && !isRecord(root.info)) {
    issues.error("invalid-info", `info must be an object, got ${show(root.info)}`, { field: "info" });
  }
  if (root.licenses === undefined) return undefined;
  if (!Array.isArray(root.licenses)) {
    issues.error("invalid-licenses", `licenses must be a list, got ${show(root.licenses)}`, { field: "licenses" });
    return undefined;
  }
  const ids = new Set<unknown>();
  const licenses = root.licenses as unknown[];
  for (let i = 0; i < licenses.length; i++) {
    const license = licenses[i];
    if (!isRecord(license) || idKind(license.id) === 0) {
      issues.error("invalid-license", `license ${i} needs an integer id`, { field: `licenses[${i}]` });
      continue;
    }
    if (ids.has(license.id)) {
      issues.error("duplicate-id", `license ${i} repeats license id ${show(license.id)}`, { field: `licenses[${i}].id` });
    }
    ids.add(license.id);
  }
  return ids;
}

/**
 * An image or category with the annotations that point to it: one Map lookup per annotation
 * then finds both (the public index's two Maps are filled from the slots at the end).
 */
interface Slot<T> {
  item: T;
  anns: CocoAnnotation[] | undefined;
}

function checkImages(images: unknown[], issues: IssueCollector, byId: Map<CocoId, Slot<CocoImage>>, licenseIds: Set<unknown> | undefined): void {
  let intIds = 0;
  let stringIds = 0;
  let duplicates = 0;
  for (let i = 0; i < images.length; i++) {
    const image = images[i];
    if (!isRecord(image)) {
      issues.error("not-an-object", `image ${i} is not an object (${show(image)})`, { field: `images[${i}]` });
      continue;
    }
    const id = image.id;
    const kind = idKind(id);
    if (kind === 0) {
      issues.error("invalid-id", `image ${i} has id ${show(id)}; ids are non-negative integers or non-empty strings`, { field: `images[${i}].id` });
    } else {
      if (kind === 1) intIds++;
      else stringIds++;
      if (byId.has(id as CocoId)) {
        const first = ++duplicates <= 100 ? findIndexById(images, id, i) : -1;
        issues.error("duplicate-id", `image ${i} repeats image id ${show(id)}${first >= 0 ? ` (images[${first}] has it too)` : ""}`, { field: `images[${i}].id` });
      } else {
        byId.set(id as CocoId, { item: image as CocoImage, anns: undefined });
      }
    }
    const fileName = image.file_name;
    if (typeof fileName !== "string" || fileName.length === 0) {
      issues.error("missing-file-name", `${label("image", i, id)} has file_name ${show(fileName)}; it must name the image file`, { field: `images[${i}].file_name` });
    }
    const width = image.width;
    const height = image.height;
    if (!isPositiveNumber(width)) {
      issues.error("invalid-image-size", `${label("image", i, id)} has width ${show(width)}; width and height must be positive numbers`, { field: `images[${i}].width` });
    } else if (!Number.isInteger(width)) {
      issues.warn("fractional-image-size", `${label("image", i, id)} has a fractional width ${width}`, { field: `images[${i}].width` });
    }
    if (!isPositiveNumber(height)) {
      issues.error("invalid-image-size", `${label("image", i, id)} has height ${show(height)}; width and height must be positive numbers`, { field: `images[${i}].height` });
    } else if (!Number.isInteger(height)) {
      issues.warn("fractional-image-size", `${label("image", i, id)} has a fractional height ${height}`, { field: `images[${i}].height` });
    }
    const license = image.license;
    if (license !== undefined && licenseIds !== undefined && !licenseIds.has(license)) {
      issues.warn("unknown-license", `${label("image", i, id)} points to license ${show(license)}, which is not in licenses`, { field: `images[${i}].license` });
    }
  }
  idTypeWarnings("images", "image", intIds, stringIds, issues);
}

function idTypeWarnings(section: string, what: string, intIds: number, stringIds: number, issues: IssueCollector): void {
  if (stringIds > 0 && intIds > 0) {
    issues.warn("mixed-id-types", `${section} mixes integer ids (${intIds}) and string ids (${stringIds}); 1 and "1" are different ids`, { field: section });
  } else if (stringIds > 0) {
    issues.warn("string-ids", `${section} use string ids (${stringIds}); trainset and pycocotools accept them, but COCOeval and most trainers expect integer ${what} ids (\`trainset convert\` writes integers)`, { field: section });
  }
}

function checkCategories(categories: unknown[], issues: IssueCollector, byId: Map<CocoId, Slot<CocoCategory>>): void {
  const names = new Map<string, number>();
  let intIds = 0;
  let stringIds = 0;
  for (let i = 0; i < categories.length; i++) {
    const category = categories[i];
    if (!isRecord(category)) {
      issues.error("not-an-object", `category ${i} is not an object (${show(category)})`, { field: `categories[${i}]` });
      continue;
    }
    const id = category.id;
    const kind = idKind(id);
    if (kind === 0) {
      issues.error("invalid-id", `category ${i} has id ${show(id)}; ids are non-negative integers or non-empty strings`, { field: `categories[${i}].id` });
    } else {
      if (kind === 1) intIds++;
      else stringIds++;
      if (byId.has(id as CocoId)) {
        const first = findIndexById(categories, id, i);
        issues.error("duplicate-id", `category ${i} repeats category id ${show(id)} (categories[${first}] has it too)`, { field: `categories[${i}].id` });
      } else {
        byId.set(id as CocoId, { item: category as CocoCategory, anns: undefined });
      }
    }
    const name = category.name;
    if (typeof name !== "string" || name.length === 0) {
      issues.error("missing-category-name", `${label("category", i, id)} has name ${show(name)}; a category needs a name`, { field: `categories[${i}].name` });
    } else {
      const first = names.get(name);
      if (first !== undefined) {
        issues.warn("duplicate-category-name", `category ${i} repeats the name "${name}" of categories[${first}]`, { field: `categories[${i}].name` });
      } else {
        names.set(name, i);
      }
    }
    if (category.supercategory !== undefined && typeof category.supercategory !== "string") {
      issues.warn("invalid-supercategory", `${label("category", i, id)} has supercategory ${show(category.supercategory)}; it should be a string`, { field: `categories[${i}].supercategory` });
    }
  }
  idTypeWarnings("categories", "category", intIds, stringIds, issues);
}

/** Checks polygons or RLE; returns a problem description or undefined. */
function segmentationProblem(seg: unknown): string | undefined {
  if (Array.isArray(seg)) {
    const polygons = seg as unknown[];
    for (let p = 0; p < polygons.length; p++) {
      const polygon = polygons[p];
      if (!Array.isArray(polygon)) return `polygon ${p} is not a list of coordinates`;
      const coords = polygon as unknown[];
      if (coords.length < 6 || coords.length % 2 !== 0) {
        return `polygon ${p} has ${coords.length} coordinates; a polygon needs an even number, at least 6`;
      }
      for (let c = 0; c < coords.length; c++) {
        const v = coords[c];
        if (typeof v !== "number" || !Number.isFinite(v)) return `polygon ${p} has a coordinate that is not a finite number (${show(v)})`;
      }
    }
    return undefined;
  }
  if (isRecord(seg)) {
    const counts = seg.counts;
    const size = seg.size;
    if (typeof counts !== "string" && !Array.isArray(counts)) return "an RLE needs counts (a string or a list)";
    if (!Array.isArray(size) || size.length !== 2) return "an RLE needs size [height, width]";
    return undefined;
  }
  return `it is ${show(seg)}, neither polygons nor an RLE`;
}

function checkAnnotations(
  annotations: unknown[],
  issues: IssueCollector,
  imageSlots: Map<CocoId, Slot<CocoImage>>,
  categorySlots: Map<CocoId, Slot<CocoCategory>>,
  annsById: Map<CocoId, CocoAnnotation>,
  tolerance: number,
): void {
  const missingArea = new Tally();
  const zeroId = new Tally();
  let intIds = 0;
  let stringIds = 0;
  let duplicates = 0;
  for (let i = 0; i < annotations.length; i++) {
    const ann = annotations[i];
    if (!isRecord(ann)) {
      issues.error("not-an-object", `annotation ${i} is not an object (${show(ann)})`, { field: `annotations[${i}]` });
      continue;
    }
    const id = ann.id;
    const kind = idKind(id);
    if (kind === 0) {
      issues.error("invalid-id", `annotation ${i} has id ${show(id)}; ids are non-negative integers or non-empty strings`, { field: `annotations[${i}].id` });
    } else {
      if (kind === 1) {
        intIds++;
        if (id === 0) zeroId.see(() => `annotations[${i}].id`);
      } else {
        stringIds++;
      }
      // One lookup instead of has + set: a set that does not grow the map hit a duplicate
      // (the later annotation wins in the index, as in pycocotools' `anns` dict).
      const before = annsById.size;
      annsById.set(id as CocoId, ann as CocoAnnotation);
      if (annsById.size === before) {
        const first = ++duplicates <= 100 ? findIndexById(annotations, id, i) : -1;
        issues.error("duplicate-id", `annotation ${i} repeats annotation id ${show(id)}${first >= 0 ? ` (annotations[${first}] has it too)` : ""}`, { field: `annotations[${i}].id` });
      }
    }
    const imageId = ann.image_id;
    const imageSlot = imageSlots.get(imageId as CocoId);
    let image: CocoImage | undefined;
    if (imageSlot === undefined) {
      issues.error("unknown-image-id", `${label("annotation", i, id)} points to image_id ${show(imageId)}, which is not in images`, { field: `annotations[${i}].image_id` });
    } else {
      image = imageSlot.item;
      if (imageSlot.anns === undefined) imageSlot.anns = [ann as CocoAnnotation];
      else imageSlot.anns.push(ann as CocoAnnotation);
    }
    const categoryId = ann.category_id;
    const categorySlot = categorySlots.get(categoryId as CocoId);
    if (categorySlot === undefined) {
      issues.error("unknown-category-id", `${label("annotation", i, id)} points to category_id ${show(categoryId)}, which is not in categories`, { field: `annotations[${i}].category_id` });
    } else if (categorySlot.anns === undefined) {
      categorySlot.anns = [ann as CocoAnnotation];
    } else {
      categorySlot.anns.push(ann as CocoAnnotation);
    }
    const bbox = ann.bbox;
    let boxArea = -1;
    if (!Array.isArray(bbox) || bbox.length !== 4) {
      issues.error("invalid-bbox", `${label("annotation", i, id)} has bbox ${show(bbox)}; a bbox is [x, y, width, height]`, { field: `annotations[${i}].bbox` });
    } else {
      const x: unknown = bbox[0];
      const y: unknown = bbox[1];
      const w: unknown = bbox[2];
      const h: unknown = bbox[3];
      if (
        typeof x !== "number" || typeof y !== "number" || typeof w !== "number" || typeof h !== "number" ||
        !Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(w) || !Number.isFinite(h)
      ) {
        issues.error("invalid-bbox", `${label("annotation", i, id)} has bbox ${show(bbox)}; a bbox is four finite numbers`, { field: `annotations[${i}].bbox` });
      } else if (w < 0 || h < 0) {
        issues.error("negative-bbox-size", `${label("annotation", i, id)} has bbox ${show(bbox)} with a negative width or height`, { field: `annotations[${i}].bbox` });
      } else {
        boxArea = w * h;
        if (boxArea === 0) {
          issues.warn("empty-bbox", `${label("annotation", i, id)} has bbox ${show(bbox)} with zero width or height`, { field: `annotations[${i}].bbox` });
        }
        if (image !== undefined) {
          const width = image.width;
          const height = image.height;
          if (
            isPositiveNumber(width) && isPositiveNumber(height) &&
            (x < -tolerance || y < -tolerance || x + w > width + tolerance || y + h > height + tolerance)
          ) {
            issues.error("bbox-outside-image", `${label("annotation", i, id)} has bbox ${show(bbox)} reaching outside its ${width}×${height} image by more than ${tolerance} px`, { field: `annotations[${i}].bbox` });
          }
        }
      }
    }
    const area = ann.area;
    if (area === undefined) {
      missingArea.see(() => `annotations[${i}].area`);
    } else if (typeof area !== "number" || !Number.isFinite(area) || area < 0) {
      issues.error("invalid-area", `${label("annotation", i, id)} has area ${show(area)}; area is a non-negative number`, { field: `annotations[${i}].area` });
    } else if (boxArea >= 0 && area > boxArea * 1.01 + 1) {
      issues.warn("area-exceeds-bbox", `${label("annotation", i, id)} has area ${area}, larger than its bbox (${boxArea})`, { field: `annotations[${i}].area` });
    }
    const crowd = ann.iscrowd;
    if (crowd !== undefined && crowd !== 0 && crowd !== 1) {
      issues.error("invalid-iscrowd", `${label("annotation", i, id)} has iscrowd ${show(crowd)}; it must be 0 or 1`, { field: `annotations[${i}].iscrowd` });
    }
    const seg = ann.segmentation;
    if (seg !== undefined) {
      const problem = segmentationProblem(seg);
      if (problem !== undefined) {
        issues.error("invalid-segmentation", `${label("annotation", i, id)} has a broken segmentation: ${problem}`, { field: `annotations[${i}].segmentation` });
      } else if (crowd === 1 && Array.isArray(seg)) {
        issues.warn("crowd-polygon", `${label("annotation", i, id)} is a crowd (iscrowd 1) with polygons; COCO crowds use RLE`, { field: `annotations[${i}].segmentation` });
      }
    }
  }
  idTypeWarnings("annotations", "annotation", intIds, stringIds, issues);
  if (zeroId.count > 0) {
    issues.warn("annotation-id-zero", "an annotation has id 0; pycocotools' COCOeval treats id 0 as \"no match\", so that box can be matched twice (number annotations from 1)", { field: zeroId.firstField });
  }
  if (missingArea.count > 0) {
    issues.warn("missing-area", `${missingArea.count} annotation(s) have no area (first: ${missingArea.firstField}); COCOeval needs it for its small/medium/large ranges`, { field: missingArea.firstField });
  }
}

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
