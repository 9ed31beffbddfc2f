/** Checks of a COCO file's annotations: ids, image / category references, bbox, area, iscrowd, segmentation. */
import type { IssueCollector } from "../util/issues.js";
import { findIndexById, idKind, idTypeWarnings, isPositiveNumber, isRecord, label, show, type Slot } from "./coco-check-common.js";
import type { CocoAnnotation, CocoCategory, CocoId, CocoImage } from "./coco.js";

/** Counts a repeated condition and reports it once, with the first place it was seen. */
class Tally {
  count = 0;
  firstField = "";
  see(field: () => string): void {
    if (this.count++ === 0) this.firstField = field();
  }
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

/** Checks every annotation, attaching it to its image and category slots and to `annsById`. */
export function checkAnnotations(
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
