/** Shape checks of a COCO file's categories: ids, names, supercategories. */
import type { IssueCollector } from "../util/issues.js";
import { findIndexById, idKind, idTypeWarnings, isRecord, label, show, type Slot } from "./coco-check-common.js";
import type { CocoCategory, CocoId } from "./coco.js";

/** Checks every category and files it in `byId` by its id (the first of duplicates wins). */
export function checkCategories(categories: unknown[], issues: IssueCollector, byId: Map<CocoId, Slot<CocoCategory>>): void {
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
