/** Shared state of the box editor webview: categories, filter, page cache. */
import { COCO_PAGE_SIZE, type CocoFilter, type CocoToWebview, type ImageView } from "../../protocol/coco.js";

/** What `init` told the webview. */
export type InitInfo = CocoToWebview["init"];

/** Images per page request (the host sends the first page of this size with `init`). */
export const PAGE_SIZE = COCO_PAGE_SIZE;

/** True when `filter` shows everything (the first page sent with `init` is for this filter). */
export function isDefaultFilter(filter: CocoFilter): boolean {
  return filter.categories.length === 0 && filter.sources.length === 0 && filter.statuses.length === 0 && filter.minConfidence <= 0 && filter.maxConfidence >= 1;
}

/** The webview's state. */
export class EditorState {
  info: InitInfo | undefined;
  filter: CocoFilter = { categories: [], sources: [], statuses: [], minConfidence: 0, maxConfidence: 1 };
  total = 0;
  pages = new Map<number, ImageView[]>();
  pending = new Set<number>();
  /** Bumped when the filter changes or an edit lands, so stale pages are dropped. */
  generation = 0;

  /** The colour of a category. */
  color(categoryId: number | string): string {
    return this.info?.categories.find((c) => c.id === categoryId)?.color ?? "#ff0";
  }

  /** The name of a category. */
  name(categoryId: number | string): string {
    return this.info?.categories.find((c) => c.id === categoryId)?.name ?? String(categoryId);
  }

  /** The image at filtered position `pos`, if its page is here. */
  at(pos: number): ImageView | undefined {
    return this.pages.get(Math.floor(pos / PAGE_SIZE))?.[pos % PAGE_SIZE];
  }

  /** Forgets every page (after a filter change or an edit). */
  reset(): void {
    this.pages.clear();
    this.pending.clear();
    this.generation++;
  }
}
