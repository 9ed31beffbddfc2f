/** Shape checks of a COCO file's info, licenses and images. */
import type { IssueCollector } from "../util/issues.js";
import { findIndexById, idKind, idTypeWarnings, isPositiveNumber, isRecord, label, show, type Json, type Slot } from "./coco-check-common.js";
import type { CocoId, CocoImage } from "./coco.js";

/** Checks `info` and `licenses`; returns the license ids, or undefined when there is no usable list. */
export function checkInfoAndLicenses(root: Json, issues: IssueCollector): Set<unknown> | undefined {
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

/** Checks every image and files it in `byId` by its id (the first of duplicates wins). */
export function checkImages(images: unknown[], issues: IssueCollector, byId: Map<CocoId, Slot<CocoImage>>, licenseIds: Set<unknown> | undefined): void {
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
