/** The virtualized image grid: only the rows in view (plus a margin) exist in the DOM. */
import { el } from "../../shared/host.js";
import { fitSize, frameElement } from "./frame.js";
import { PAGE_SIZE, type EditorState } from "./state.js";

const CELL = 190;
const MARGIN_ROWS = 2;

/** Draws the grid and asks for missing pages. */
export class Grid {
  readonly root: HTMLElement;
  private readonly spacer: HTMLElement;
  focus = 0;
  private drawn = new Map<number, HTMLElement>();

  constructor(
    private readonly state: EditorState,
    private readonly requestPage: (page: number) => void,
    private readonly open: (pos: number) => void,
  ) {
    this.spacer = el("div", { id: "spacer" });
    this.root = el("div", { id: "grid", tabindex: "0" }, this.spacer);
    this.root.addEventListener("scroll", () => this.render());
    new ResizeObserver(() => this.render(true)).observe(this.root);
    this.root.addEventListener("click", (event) => {
      const cell = (event.target as HTMLElement).closest<HTMLElement>(".cell");
      if (cell?.dataset["pos"] !== undefined) {
        this.focus = Number(cell.dataset["pos"]);
        this.open(this.focus);
      }
    });
  }

  private columns(): number {
    return Math.max(1, Math.floor(this.root.clientWidth / CELL));
  }

  /** Moves the keyboard focus by `delta` cells (rows with ±columns). */
  move(delta: "left" | "right" | "up" | "down"): void {
    const cols = this.columns();
    const step = delta === "left" ? -1 : delta === "right" ? 1 : delta === "up" ? -cols : cols;
    this.focus = Math.max(0, Math.min(this.state.total - 1, this.focus + step));
    const row = Math.floor(this.focus / cols);
    const top = row * CELL;
    if (top < this.root.scrollTop) this.root.scrollTop = top;
    else if (top + CELL > this.root.scrollTop + this.root.clientHeight) this.root.scrollTop = top + CELL - this.root.clientHeight;
    this.render(true);
  }

  /** Draws the visible cells; `full` redraws cells already drawn. */
  render(full = false): void {
    const cols = this.columns();
    const rows = Math.ceil(this.state.total / cols);
    this.spacer.style.height = `${rows * CELL}px`;
    const first = Math.max(0, Math.floor(this.root.scrollTop / CELL) - MARGIN_ROWS);
    const last = Math.min(rows - 1, Math.ceil((this.root.scrollTop + this.root.clientHeight) / CELL) + MARGIN_ROWS);
    const wanted = new Set<number>();
    for (let r = first; r <= last; r++) for (let c = 0; c < cols; c++) {
      const pos = r * cols + c;
      if (pos < this.state.total) wanted.add(pos);
    }
    for (const [pos, node] of this.drawn) {
      if (!wanted.has(pos) || full) {
        node.remove();
        this.drawn.delete(pos);
      }
    }
    for (const pos of wanted) {
      if (this.drawn.has(pos)) continue;
      const image = this.state.at(pos);
      if (image === undefined) {
        this.requestPage(Math.floor(pos / PAGE_SIZE));
        continue;
      }
      const { w, h } = fitSize(image, CELL - 12, CELL - 28);
      const cell = el("div", { class: `cell${pos === this.focus ? " focused" : ""}`, "data-pos": String(pos), "data-image": String(image.id) }, frameElement(this.state, image, w, h), el("div", { class: "name", title: image.fileName }, `${image.fileName} (${image.annotations.length})`));
      cell.style.left = `${(pos % cols) * CELL}px`;
      cell.style.top = `${Math.floor(pos / cols) * CELL}px`;
      cell.style.width = `${CELL}px`;
      cell.style.height = `${CELL}px`;
      this.spacer.append(cell);
      this.drawn.set(pos, cell);
    }
  }
}
