/** The detail view: one image full size; select, move, resize, draw, change category, verify, reject, delete. */
import { el } from "../../shared/host.js";
import type { BoxXywh, CocoOp, ImageView } from "../../protocol/coco.js";
import { fitSize, frameElement, placeBox } from "./frame.js";
import type { EditorState } from "./state.js";

type Drag = { mode: "move" | "resize" | "draw"; annId: number | string | null; startX: number; startY: number; bbox: BoxXywh; node: HTMLElement };

/** The detail view over the grid. */
export class Detail {
  readonly root: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly list: HTMLElement;
  image: ImageView | null = null;
  pos = -1;
  selected: number | string | null = null;
  drawing = false;
  private drag: Drag | null = null;

  constructor(
    private readonly state: EditorState,
    private readonly edit: (op: CocoOp) => void,
  ) {
    this.stage = el("div", { id: "stage" });
    this.list = el("div", { id: "anns" });
    this.root = el("div", { id: "detail" }, this.stage, this.list);
    new ResizeObserver(() => this.render()).observe(this.stage);
    window.addEventListener("mousemove", (e) => this.onMove(e));
    window.addEventListener("mouseup", () => this.onUp());
  }

  /** True while open. */
  get isOpen(): boolean {
    return this.root.classList.contains("open");
  }

  /** Shows `image` (at filtered position `pos`). */
  show(image: ImageView, pos: number): void {
    if (this.image?.id !== image.id) this.selected = image.annotations.find((a) => a.status === "unverified")?.id ?? image.annotations[0]?.id ?? null;
    this.image = image;
    this.pos = pos;
    this.root.classList.add("open");
    this.render();
  }

  /** Closes the view. */
  close(): void {
    this.root.classList.remove("open");
    this.image = null;
  }

  /** Selects the next annotation (Tab). */
  cycle(step: number): void {
    const anns = this.image?.annotations ?? [];
    if (anns.length === 0) return;
    const i = anns.findIndex((a) => a.id === this.selected);
    this.selected = anns[(i + step + anns.length) % anns.length]?.id ?? null;
    this.render();
  }

  /** The selected annotation ids, or all of the image's with `all`. */
  targets(all: boolean): Array<number | string> {
    const anns = this.image?.annotations ?? [];
    return all ? anns.map((a) => a.id) : this.selected === null ? [] : [this.selected];
  }

  /** Redraws from `image`. */
  render(): void {
    const image = this.image;
    if (image === null) return;
    const { w, h } = fitSize(image, Math.max(50, this.stage.clientWidth - 20), Math.max(50, this.stage.clientHeight - 20));
    const frame = frameElement(this.state, image, w, h);
    frame.classList.toggle("drawing", this.drawing);
    for (const box of frame.querySelectorAll<HTMLElement>(".box")) {
      const id = image.annotations.find((a) => String(a.id) === box.dataset["ann"])?.id ?? null;
      if (id === this.selected) {
        box.classList.add("selected");
        box.append(el("div", { class: "handle" }));
      }
      box.addEventListener("mousedown", (e) => this.onDown(e, id, (e.target as HTMLElement).classList.contains("handle") ? "resize" : "move", box));
    }
    frame.addEventListener("mousedown", (e) => {
      if (this.drawing && (e.target === frame || (e.target as HTMLElement).tagName === "IMG")) this.onDown(e, null, "draw", frame);
    });
    this.stage.replaceChildren(frame);
    this.renderList(image);
  }

  private renderList(image: ImageView): void {
    const header = el("div", { class: "row" }, el("b", {}, `${image.fileName}`), ` ${image.width}×${image.height}`);
    const imageActions = el("div", { class: "row" });
    const button = (label: string, attrs: Record<string, string>, run: () => void): HTMLElement => {
      const b = el("button", attrs, label);
      b.addEventListener("click", (e) => {
        e.stopPropagation();
        run();
      });
      return b;
    };
    imageActions.append(button("Verify image", { "data-action": "verify-image" }, () => this.edit({ op: "verify", annIds: this.targets(true) })), button("Reject image", { "data-action": "reject-image" }, () => this.edit({ op: "reject", annIds: this.targets(true) })), button(this.drawing ? "Drawing…" : "Draw box", { "data-action": "draw" }, () => this.toggleDraw()));
    const items = image.annotations.map((ann) => {
      const select = el("select", { "data-action": "category" });
      for (const c of this.state.info?.categories ?? []) {
        const option = el("option", { value: String(c.id) }, c.name);
        option.selected = c.id === ann.categoryId;
        select.append(option);
      }
      select.addEventListener("change", () => {
        const cat = this.state.info?.categories.find((c) => String(c.id) === select.value);
        if (cat !== undefined) this.edit({ op: "setCategory", annId: ann.id, categoryId: cat.id });
      });
      const row = el("div", { class: `ann${ann.id === this.selected ? " selected" : ""}`, "data-ann": String(ann.id) }, el("div", { class: "row" }, select, `${ann.source} ${ann.confidence === null ? "" : ann.confidence.toFixed(2)} · ${ann.status}`), el("div", { class: "row" }, button("Verify", { "data-action": "verify" }, () => this.edit({ op: "verify", annIds: [ann.id] })), button("Reject", { "data-action": "reject" }, () => this.edit({ op: "reject", annIds: [ann.id] })), button("Delete", { "data-action": "delete" }, () => this.edit({ op: "delete", annIds: [ann.id] }))));
      row.addEventListener("click", () => {
        this.selected = ann.id;
        this.render();
      });
      return row;
    });
    this.list.replaceChildren(header, imageActions, ...items);
  }

  /** Turns draw mode on or off (N). */
  toggleDraw(): void {
    this.drawing = !this.drawing;
    this.render();
  }

  private scale(): number {
    const frame = this.stage.querySelector<HTMLElement>(".frame");
    return frame === null || this.image === null ? 1 : (this.image.width || 1) / frame.clientWidth;
  }

  private onDown(e: MouseEvent, annId: number | string | null, mode: Drag["mode"], node: HTMLElement): void {
    const image = this.image;
    if (image === null || e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    if (mode === "draw") {
      const rect = node.getBoundingClientRect();
      const s = this.scale();
      const x = (e.clientX - rect.left) * s;
      const y = (e.clientY - rect.top) * s;
      const box = el("div", { class: "box" });
      box.style.borderColor = "#fff";
      node.append(box);
      this.drag = { mode, annId: null, startX: e.clientX, startY: e.clientY, bbox: [x, y, 0, 0], node: box };
      return;
    }
    const ann = image.annotations.find((a) => a.id === annId);
    if (ann?.bbox == null) return;
    if (this.selected !== annId) {
      this.selected = annId;
      this.render();
      node = this.stage.querySelector<HTMLElement>(`.box[data-ann="${String(annId)}"]`) ?? node;
    }
    this.drag = { mode, annId, startX: e.clientX, startY: e.clientY, bbox: [...ann.bbox], node };
  }

  private current(e: MouseEvent): BoxXywh | null {
    const d = this.drag;
    if (d === null) return null;
    const s = this.scale();
    const dx = (e.clientX - d.startX) * s;
    const dy = (e.clientY - d.startY) * s;
    const [x, y, w, h] = d.bbox;
    if (d.mode === "move") return [x + dx, y + dy, w, h];
    if (d.mode === "resize") return [x, y, Math.max(1, w + dx), Math.max(1, h + dy)];
    return [dx < 0 ? x + dx : x, dy < 0 ? y + dy : y, Math.abs(dx), Math.abs(dy)];
  }

  private last: BoxXywh | null = null;

  private onMove(e: MouseEvent): void {
    const box = this.current(e);
    if (box === null || this.image === null || this.drag === null) return;
    this.last = box;
    placeBox(this.drag.node, this.image, box);
  }

  private onUp(): void {
    const d = this.drag;
    const box = this.last;
    this.drag = null;
    this.last = null;
    if (d === null || box === null || this.image === null) return;
    if (d.mode === "draw") {
      this.drawing = false;
      const cat = this.state.info?.categories[0]?.id;
      if (box[2] >= 2 && box[3] >= 2 && cat !== undefined) this.edit({ op: "add", imageId: this.image.id, categoryId: cat, bbox: box });
      else this.render();
      return;
    }
    if (d.annId !== null) this.edit({ op: "setBox", annId: d.annId, bbox: box });
  }
}

