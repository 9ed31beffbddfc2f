/**
 * The lookup tables pycocotools builds in `COCO.createIndex()` (anns, imgs, cats, imgToAnns,
 * catToImgs), as Maps built in one pass over each array.
 */
import type { CocoAnnotation, CocoCategory, CocoDataset, CocoId, CocoImage } from "./coco.js";

/** Lookups over a COCO dataset; the lists hold the dataset's own objects (no copies). */
export interface CocoIndex {
  imagesById: Map<CocoId, CocoImage>;
  annsById: Map<CocoId, CocoAnnotation>;
  catsById: Map<CocoId, CocoCategory>;
  /** Image id → its annotations, in file order; images without annotations have no entry. */
  annsByImage: Map<CocoId, CocoAnnotation[]>;
  /** Category id → its annotations, in file order. */
  annsByCategory: Map<CocoId, CocoAnnotation[]>;
}

/** An empty index, filled by {@link indexCoco} or by validation as it walks the arrays. */
export function emptyCocoIndex(): CocoIndex {
  return {
    imagesById: new Map(),
    annsById: new Map(),
    catsById: new Map(),
    annsByImage: new Map(),
    annsByCategory: new Map(),
  };
}

/** Appends `ann` to the list under `key`, creating it on first use. */
function pushAnnotation(map: Map<CocoId, CocoAnnotation[]>, key: CocoId, ann: CocoAnnotation): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [ann]);
  else list.push(ann);
}

/**
 * Builds the pycocotools-style index without validating (later duplicates win, as in
 * pycocotools' dicts). Use `loadCoco` to validate and index in the same pass.
 * @example
 * const index = indexCoco(coco);
 * const boxes = index.annsByImage.get(42) ?? [];
 */
export function indexCoco(dataset: CocoDataset): CocoIndex {
  const index = emptyCocoIndex();
  const { imagesById, annsById, catsById, annsByImage, annsByCategory } = index;
  const images = dataset.images ?? [];
  for (let i = 0; i < images.length; i++) {
    const image = images[i] as CocoImage;
    imagesById.set(image.id, image);
  }
  const categories = dataset.categories ?? [];
  for (let i = 0; i < categories.length; i++) {
    const category = categories[i] as CocoCategory;
    catsById.set(category.id, category);
  }
  const annotations = dataset.annotations ?? [];
  for (let i = 0; i < annotations.length; i++) {
    const ann = annotations[i] as CocoAnnotation;
    annsById.set(ann.id, ann);
    pushAnnotation(annsByImage, ann.image_id, ann);
    pushAnnotation(annsByCategory, ann.category_id, ann);
  }
  return index;
}
