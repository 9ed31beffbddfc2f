/** Filtering, live counts and per-category statistics over a {@link CocoModel} (pure). */
import type { AnnView, CategoryStats, CocoFilter, FilterCounts, ReviewStatus } from "../../../../webviews/src/protocol/coco.js";
import { annConfidence, type CocoAnn, type CocoModel, type RawObject } from "./coco-model.js";

/** The review state of an annotation. */
export function annStatus(ann: CocoAnn): ReviewStatus {
  return ann.rejected === true ? "rejected" : ann.verified === true ? "verified" : "unverified";
}

/** The source of an annotation (`source`, e.g. `template_matching`, `user_click`), "unknown" when absent. */
export function annSource(ann: CocoAnn): string {
  return typeof ann.source === "string" ? ann.source : "unknown";
}

/** A filter that shows everything. */
export const ALL: CocoFilter = { categories: [], sources: [], statuses: [], minConfidence: 0, maxConfidence: 1 };

/** What a query finds: image positions in file order, counts, statistics. */
export interface QueryResult {
  imageIndexes: number[];
  counts: FilterCounts;
  stats: CategoryStats[];
}

const isAll = (f: CocoFilter): boolean => f.categories.length === 0 && f.sources.length === 0 && f.statuses.length === 0 && f.minConfidence <= 0 && f.maxConfidence >= 1;

/** Runs `filter` over the model: an image is shown when one of its annotations passes (every image when nothing is filtered). */
export function queryCoco(model: CocoModel, filter: CocoFilter): QueryResult {
  const cats = new Set<number | string>(filter.categories);
  const sources = new Set(filter.sources);
  const statuses = new Set<ReviewStatus>(filter.statuses);
  const counts: FilterCounts = { images: 0, annotations: 0, byCategory: {}, bySource: {}, byStatus: { verified: 0, unverified: 0, rejected: 0 } };
  const stats = new Map<number | string, CategoryStats>();
  for (const c of model.categories) stats.set(c["id"] as number | string, { id: c["id"] as number | string, total: 0, verified: 0, rejected: 0 });
  const shown = new Set<number | string>();
  const all = isAll(filter);
  const byCategory = new Map<number | string, number>();
  for (const ann of model.annotationList) {
    const cat = ann.category_id;
    const src = annSource(ann);
    const status = annStatus(ann);
    const conf = annConfidence(ann);
    const s = stats.get(cat) ?? { id: ann.category_id, total: 0, verified: 0, rejected: 0 };
    stats.set(cat, s);
    s.total++;
    if (status === "verified") s.verified++;
    if (status === "rejected") s.rejected++;
    const mCat = cats.size === 0 || cats.has(cat);
    const mSrc = sources.size === 0 || sources.has(src);
    const mStatus = statuses.size === 0 || statuses.has(status);
    const mConf = conf === undefined ? filter.minConfidence <= 0 : conf >= filter.minConfidence && conf <= filter.maxConfidence;
    // Facet counts: how many would pass if this facet alone were changed.
    if (mSrc && mStatus && mConf) byCategory.set(cat, (byCategory.get(cat) ?? 0) + 1);
    if (mCat && mStatus && mConf) counts.bySource[src] = (counts.bySource[src] ?? 0) + 1;
    if (mCat && mSrc && mConf) counts.byStatus[status]++;
    if (mCat && mSrc && mStatus && mConf) {
      counts.annotations++;
      if (!all) shown.add(ann.image_id);
    }
  }
  for (const [cat, n] of byCategory) counts.byCategory[String(cat)] = n;
  const imageIndexes: number[] = [];
  model.images.forEach((img, i) => {
    if (all || shown.has(img["id"] as number | string)) imageIndexes.push(i);
  });
  counts.images = imageIndexes.length;
  return { imageIndexes, counts, stats: [...stats.values()] };
}

/** The annotation as the webview draws it. */
export function annView(ann: CocoAnn): AnnView {
  const b = ann.bbox;
  return { id: ann.id, categoryId: ann.category_id, bbox: Array.isArray(b) && b.length === 4 ? [b[0], b[1], b[2], b[3]] : null, source: annSource(ann), confidence: annConfidence(ann) ?? null, status: annStatus(ann) };
}

/** An image's `file_name` ("" when it is not a string). */
export function fileNameOf(image: RawObject): string {
  const name = image["file_name"];
  return typeof name === "string" ? name : "";
}
