/** Messages of the COCO box editor (host: extension/src/editors/coco, webview: webviews/src/editors/coco). */

/** Images per page: the webview asks for pages of this size, and the first one comes with `init`. */
export const COCO_PAGE_SIZE = 120;

/** `[x, y, width, height]` in pixels. */
export type BoxXywh = [number, number, number, number];

/** Review state of an annotation. */
export type ReviewStatus = "verified" | "unverified" | "rejected";

/** Which annotations (and so which images) are shown; empty lists mean "all". */
export interface CocoFilter {
  categories: Array<number | string>;
  sources: string[];
  statuses: ReviewStatus[];
  /** Confidence range, inclusive; annotations without a confidence pass unless `minConfidence > 0`. */
  minConfidence: number;
  maxConfidence: number;
}

/** An annotation as the webview draws it. */
export interface AnnView {
  id: number | string;
  categoryId: number | string;
  bbox: BoxXywh | null;
  source: string;
  confidence: number | null;
  status: ReviewStatus;
}

/** An image with its annotations; `src` is a webview URI, or null when the file may not be shown. */
export interface ImageView {
  index: number;
  id: number | string;
  fileName: string;
  width: number;
  height: number;
  src: string | null;
  annotations: AnnView[];
}

/** Per-category counts for the statistics panel. */
export interface CategoryStats {
  id: number | string;
  total: number;
  verified: number;
  rejected: number;
}

/** Counts under the current filter (live counts next to each filter choice). */
export interface FilterCounts {
  images: number;
  annotations: number;
  byCategory: Record<string, number>;
  bySource: Record<string, number>;
  byStatus: Record<ReviewStatus, number>;
}

/** A change the curator asks for; the host turns it into one undoable edit. */
export type CocoOp =
  | { op: "setBox"; annId: number | string; bbox: BoxXywh }
  | { op: "delete"; annIds: Array<number | string> }
  | { op: "add"; imageId: number | string; categoryId: number | string; bbox: BoxXywh }
  | { op: "setCategory"; annId: number | string; categoryId: number | string }
  | { op: "verify"; annIds: Array<number | string> }
  | { op: "reject"; annIds: Array<number | string> };

/** A page of the filtered image list with the filter's counts and statistics. */
export interface CocoPage {
  offset: number;
  total: number;
  images: ImageView[];
  counts: FilterCounts;
  stats: CategoryStats[];
}

/**
 * Host → webview. `preview` (optional, before `init`, up to twice): the file's first images while
 * the rest is parsed, first without boxes, then with them (`withBoxes`); no counts or edits yet.
 */
export type CocoToWebview = {
  preview: { title: string; images: ImageView[]; withBoxes: boolean };
  /** The file is parsed; `first` is page 0 with no filter (null: ask for it). */
  init: { title: string; categories: Array<{ id: number | string; name: string; color: string }>; sources: string[]; imageCount: number; annotationCount: number; rejectMode: "flag" | "remove"; first: CocoPage | null };
  page: CocoPage & { requestId: number };
  image: { requestId: number; image: ImageView | null };
  changed: { imageIds: Array<number | string> };
  error: { message: string };
};

/** Webview → host. */
export type CocoToHost = {
  ready: null;
  query: { requestId: number; filter: CocoFilter; offset: number; limit: number };
  getImage: { requestId: number; imageId: number | string };
  edit: CocoOp;
  undo: null;
  redo: null;
};

/** The host → webview message types. */
export const COCO_TO_WEBVIEW: readonly (keyof CocoToWebview)[] = ["preview", "init", "page", "image", "changed", "error"];

/** The webview → host message types. */
export const COCO_TO_HOST: readonly (keyof CocoToHost)[] = ["ready", "query", "getImage", "edit", "undo", "redo"];
