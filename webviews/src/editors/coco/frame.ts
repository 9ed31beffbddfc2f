/** An image with its boxes drawn in category colours, sized to fit a given box. */
import { el } from "../../shared/host.js";
import type { AnnView, ImageView } from "../../protocol/coco.js";
import type { EditorState } from "./state.js";

/** Fits `image` into `maxW`×`maxH` keeping its aspect ratio. */
export function fitSize(image: ImageView, maxW: number, maxH: number): { w: number; h: number } {
  const iw = image.width > 0 ? image.width : 4;
  const ih = image.height > 0 ? image.height : 3;
  const s = Math.min(maxW / iw, maxH / ih);
  return { w: Math.max(1, Math.floor(iw * s)), h: Math.max(1, Math.floor(ih * s)) };
}

/** Positions a box element over the frame, in percent of the image size. */
export function placeBox(box: HTMLElement, image: ImageView, bbox: [number, number, number, number]): void {
  const iw = image.width || 1;
  const ih = image.height || 1;
  box.style.left = `${(bbox[0] / iw) * 100}%`;
  box.style.top = `${(bbox[1] / ih) * 100}%`;
  box.style.width = `${(bbox[2] / iw) * 100}%`;
  box.style.height = `${(bbox[3] / ih) * 100}%`;
}

/** The box element of one annotation. */
export function boxElement(state: EditorState, image: ImageView, ann: AnnView): HTMLElement | null {
  if (ann.bbox === null) return null;
  const box = el("div", { class: `box ${ann.status}`, "data-ann": String(ann.id), title: `${state.name(ann.categoryId)} · ${ann.source}${ann.confidence === null ? "" : ` · ${ann.confidence.toFixed(2)}`} · ${ann.status}` });
  box.style.borderColor = state.color(ann.categoryId);
  placeBox(box, image, ann.bbox);
  return box;
}

/** The image frame (img or a "not shown" note) with every box. */
export function frameElement(state: EditorState, image: ImageView, w: number, h: number): HTMLElement {
  const frame = el("div", { class: "frame" });
  frame.style.width = `${w}px`;
  frame.style.height = `${h}px`;
  if (image.src !== null) {
    frame.append(el("img", { src: image.src, alt: image.fileName, loading: "lazy", decoding: "async", draggable: "false" }));
  } else {
    frame.append(el("div", { class: "missing" }, "image not shown (missing or outside the dataset folder)"));
  }
  for (const ann of image.annotations) {
    const box = boxElement(state, image, ann);
    if (box !== null) frame.append(box);
  }
  return frame;
}
