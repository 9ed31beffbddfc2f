/** Turns a curator's request ({@link CocoOp}) into one undoable {@link CocoEdit} on a {@link CocoModel}. */
import type { CocoOp } from "../../../../webviews/src/protocol/coco.js";
import type { AnnChange, CocoAnn, CocoEdit, CocoModel } from "./coco-model.js";

/** What "reject" does: mark with `rejected: true`, or remove the annotation. */
export type RejectMode = "flag" | "remove";

/** Options of {@link makeEdit}. */
export interface MakeEditOptions {
  /** Default "flag". */
  rejectMode?: RejectMode;
}

function replaceChange(model: CocoModel, id: number | string, patch: (ann: CocoAnn) => CocoAnn): AnnChange | null {
  const before = model.annotation(id);
  if (before === undefined) return null;
  return { index: model.indexOf(id), before, after: patch(before) };
}

function removeChange(model: CocoModel, id: number | string): AnnChange | null {
  const before = model.annotation(id);
  return before === undefined ? null : { index: model.indexOf(id), before, after: null };
}

const round = (v: number): number => Math.round(v * 100) / 100;

/** The edit for `op`, or null when it changes nothing (unknown ids). */
export function makeEdit(model: CocoModel, op: CocoOp, options: MakeEditOptions = {}): CocoEdit | null {
  const rejectMode = options.rejectMode ?? "flag";
  let label: string;
  let changes: Array<AnnChange | null>;
  switch (op.op) {
    case "setBox": {
      const [x, y, w, h] = op.bbox.map(round) as [number, number, number, number];
      label = "Move box";
      changes = [replaceChange(model, op.annId, (a) => ({ ...a, bbox: [x, y, w, h], ...(a["area"] !== undefined ? { area: round(w * h) } : {}) }))];
      break;
    }
    case "delete":
      label = "Delete boxes";
      // Remove from the end so the recorded indexes stay right when undone in reverse.
      changes = [...op.annIds].sort((a, b) => model.indexOf(b) - model.indexOf(a)).map((id) => removeChange(model, id));
      break;
    case "add": {
      const id = model.newAnnotationId();
      const [x, y, w, h] = op.bbox.map(round) as [number, number, number, number];
      const ann: CocoAnn =
        model.kind === "coco"
          ? { id, image_id: op.imageId, category_id: op.categoryId, bbox: [x, y, w, h], area: round(w * h), iscrowd: 0, source: "user_click", verified: true }
          : { id, image_id: op.imageId, bbox: [x, y, w, h], category_id: op.categoryId, category_name: model.categoryName(op.categoryId) ?? String(op.categoryId), confidence: 1, source: "user_click", verified: true };
      label = "Add box";
      changes = [{ index: model.annotationList.length, before: null, after: ann }];
      break;
    }
    case "setCategory":
      label = "Change category";
      changes = [replaceChange(model, op.annId, (a) => ({ ...a, category_id: op.categoryId, ...(a["category_name"] !== undefined ? { category_name: model.categoryName(op.categoryId) ?? String(op.categoryId) } : {}) }))];
      break;
    case "verify":
      label = "Verify";
      changes = op.annIds.map((id) =>
        replaceChange(model, id, (a) => {
          const next: CocoAnn = { ...a, verified: true };
          delete next.rejected;
          return next;
        }),
      );
      break;
    case "reject":
      label = "Reject";
      changes =
        rejectMode === "remove"
          ? [...op.annIds].sort((a, b) => model.indexOf(b) - model.indexOf(a)).map((id) => removeChange(model, id))
          : op.annIds.map((id) =>
              replaceChange(model, id, (a) => {
                const next: CocoAnn = { ...a, rejected: true };
                delete next.verified;
                return next;
              }),
            );
      break;
  }
  const real = changes.filter((c): c is AnnChange => c !== null);
  return real.length === 0 ? null : { label, changes: real };
}
