/**
 * The COCO document model of the box editor: the parsed file kept once in memory, annotations in
 * file order, edits applied as reversible patches. Pure (no `vscode`): the custom editor wraps it.
 * Format: https://cocodataset.org/#format-data — unknown fields of every object are kept as read.
 */

/** A JSON object as read; known fields are typed, the rest is kept verbatim. */
export type RawObject = Record<string, unknown>;

/** `[x, y, width, height]` in pixels. */
export type Bbox = [number, number, number, number];

/** A COCO annotation as read (plus the fields the curator edits). */
export interface CocoAnn extends RawObject {
  id: number | string;
  image_id: number | string;
  category_id: number | string;
  bbox?: Bbox;
  verified?: boolean;
  rejected?: boolean;
  source?: string;
  score?: number;
  confidence?: number;
}

/** One annotation change: `before` null adds it at `index`, `after` null removes it. */
export interface AnnChange {
  index: number;
  before: CocoAnn | null;
  after: CocoAnn | null;
}

/** One undoable edit: a label for the undo stack and its changes. */
export interface CocoEdit {
  label: string;
  changes: AnnChange[];
}

// Ids are used as Map keys as they are: 1 and "1" stay distinct, and no key strings are built
// for the ~860k annotations of a COCO-2017-scale file.
type Key = number | string;
const key = (id: number | string): Key => id;
const isObj = (v: unknown): v is RawObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The confidence of an annotation: `score`, else `confidence`, else undefined. */
export function annConfidence(ann: CocoAnn): number | undefined {
  return typeof ann.score === "number" ? ann.score : typeof ann.confidence === "number" ? ann.confidence : undefined;
}

/** A COCO file, or a run-record `annotations/<id>.json` (one image, annotations without ids). */
export type CocoFileKind = "coco" | "run-record-annotation";

/** A parsed COCO file with annotation indexes by id and by image. */
export class CocoModel {
  readonly images: RawObject[];
  readonly categories: RawObject[];
  private annotations: CocoAnn[];
  private byId = new Map<Key, number>();
  private byImage = new Map<Key, number[]>();
  private indexDirty = true;
  private nextId = 1;

  private constructor(
    private readonly raw: RawObject,
    private readonly indent: number,
    /** What the file is; run-record annotation files get ids and an image only in memory. */
    readonly kind: CocoFileKind = "coco",
  ) {
    if (kind === "coco") {
      this.images = raw["images"] as RawObject[];
      this.categories = raw["categories"] as RawObject[];
      this.annotations = raw["annotations"] as CocoAnn[];
      return;
    }
    const imageId = typeof raw["image_id"] === "string" ? raw["image_id"] : "image";
    this.images = [{ id: imageId, file_name: `images/${String(raw["image_filename"])}`, width: raw["image_width"], height: raw["image_height"] }];
    this.annotations = (raw["annotations"] as RawObject[]).map((a, i) => ({ id: i + 1, image_id: imageId, ...a }) as CocoAnn);
    const names = new Map<number | string, string>();
    for (const a of this.annotations) if (!names.has(a.category_id)) names.set(a.category_id, typeof a["category_name"] === "string" ? a["category_name"] : String(a.category_id));
    this.categories = [...names].sort((x, y) => Number(x[0]) - Number(y[0])).map(([id, name]) => ({ id, name }));
  }

  /** The name of a category (run-record annotations repeat it in `category_name`). */
  categoryName(id: number | string): string | undefined {
    const name = this.categories.find((c) => c["id"] === id)?.["name"];
    return typeof name === "string" ? name : undefined;
  }

  /** Parses COCO text (the file is read once by the caller); `file` names it in errors. */
  static parse(text: string, file = "dataset.json"): CocoModel {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error: unknown) {
      throw new Error(`Cannot read COCO "${file}": ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!isObj(raw)) throw new Error(`Cannot read COCO "${file}": the top level is not an object`);
    const indent = /^\{\s*\n(\s+)"/.exec(text)?.[1]?.length ?? 0;
    if (!Array.isArray(raw["images"]) && Array.isArray(raw["annotations"]) && typeof raw["image_filename"] === "string") {
      return new CocoModel(raw, Math.min(indent, 8), "run-record-annotation");
    }
    for (const field of ["images", "annotations", "categories"]) {
      if (!Array.isArray(raw[field])) throw new Error(`Cannot read COCO "${file}": "${field}" is not an array`);
    }
    (raw["annotations"] as unknown[]).forEach((ann, i) => {
      if (!isObj(ann) || ann["id"] === undefined || ann["image_id"] === undefined) throw new Error(`Cannot read COCO "${file}": annotation ${i} has no id or image_id`);
    });
    // Keep the writer's layout: indented files stay indented, compact ones compact.
    return new CocoModel(raw, Math.min(indent, 8));
  }

  /** Annotations in file order (do not mutate; use {@link apply}). */
  get annotationList(): readonly CocoAnn[] {
    return this.annotations;
  }

  /** The annotation with this id. */
  annotation(id: number | string): CocoAnn | undefined {
    this.reindex();
    const i = this.byId.get(key(id));
    return i === undefined ? undefined : this.annotations[i];
  }

  /** The annotations of one image, in file order. */
  annotationsOf(imageId: number | string): CocoAnn[] {
    this.reindex();
    return (this.byImage.get(key(imageId)) ?? []).map((i) => this.annotations[i]).filter((a): a is CocoAnn => a !== undefined);
  }

  /**
   * The annotations of each of `imageIds`, in file order. Without a built index this is one pass
   * over the annotations instead of building the index (the first page of a big file comes sooner).
   */
  annotationsOfImages(imageIds: ReadonlyArray<number | string>): Map<number | string, CocoAnn[]> {
    const found = new Map<Key, CocoAnn[]>(imageIds.map((id) => [key(id), []]));
    if (!this.indexDirty) {
      for (const id of imageIds) found.set(key(id), this.annotationsOf(id));
      return found;
    }
    for (const ann of this.annotations) found.get(key(ann.image_id))?.push(ann);
    return found;
  }

  /** Builds the indexes by id and by image now, e.g. while the editor is idle after its first page. */
  buildIndex(): void {
    this.reindex();
  }

  /** Position of an annotation in the file, or -1. */
  indexOf(id: number | string): number {
    this.reindex();
    return this.byId.get(key(id)) ?? -1;
  }

  /** A fresh numeric annotation id (max + 1). */
  newAnnotationId(): number {
    this.reindex();
    return this.nextId++;
  }

  /** Applies an edit forwards. */
  apply(edit: CocoEdit): void {
    this.applyChanges(edit.changes, false);
  }

  /** Applies an edit backwards (undo). */
  revert(edit: CocoEdit): void {
    this.applyChanges([...edit.changes].reverse(), true);
  }

  /** The file text: the original object with the current annotations, in the original layout. */
  serialize(): string {
    // Run-record annotations had no ids on disk: drop the in-memory ones (they were put first).
    const annotations = this.kind === "coco" ? this.annotations : this.annotations.map(({ id: _id, image_id: _image, ...rest }) => rest);
    const out: RawObject = { ...this.raw, annotations };
    return JSON.stringify(out, null, this.indent || undefined) + "\n";
  }

  private applyChanges(changes: readonly AnnChange[], backwards: boolean): void {
    for (const change of changes) {
      const from = backwards ? change.after : change.before;
      const to = backwards ? change.before : change.after;
      if (from === null && to !== null) {
        this.annotations.splice(Math.min(change.index, this.annotations.length), 0, to);
        this.indexDirty = true;
      } else if (from !== null && to === null) {
        const i = this.indexOf(from.id);
        if (i < 0) throw new RangeError(`Cannot remove annotation ${String(from.id)}: it is not in the document`);
        this.annotations.splice(i, 1);
        this.indexDirty = true;
      } else if (from !== null && to !== null) {
        const i = this.indexOf(from.id);
        if (i < 0) throw new RangeError(`Cannot change annotation ${String(from.id)}: it is not in the document`);
        this.annotations[i] = to;
        if (key(from.image_id) !== key(to.image_id)) this.indexDirty = true;
      }
    }
  }

  private reindex(): void {
    if (!this.indexDirty) return;
    this.byId.clear();
    this.byImage.clear();
    let max = 0;
    this.annotations.forEach((ann, i) => {
      this.byId.set(key(ann.id), i);
      const k = key(ann.image_id);
      const list = this.byImage.get(k);
      if (list === undefined) this.byImage.set(k, [i]);
      else list.push(i);
      if (typeof ann.id === "number" && ann.id > max) max = ann.id;
    });
    this.nextId = Math.max(this.nextId, max + 1);
    this.indexDirty = false;
  }
}
