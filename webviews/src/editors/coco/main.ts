/** The COCO box editor webview: grid, filters, statistics and detail view, talking to the host by typed messages. */
import { connectHost, el } from "../../shared/host.js";
import { COCO_TO_WEBVIEW, type CategoryStats, type CocoOp, type CocoToHost, type CocoToWebview, type FilterCounts } from "../../protocol/coco.js";
import { Detail } from "./detail.js";
import { Grid } from "./grid.js";
import { renderSidebar } from "./sidebar.js";
import { PAGE_SIZE, EditorState, isDefaultFilter, type InitInfo } from "./state.js";
import { COCO_CSS } from "./styles.js";

const state = new EditorState();
let counts: FilterCounts | undefined;
let stats: CategoryStats[] = [];
let nextRequest = 1;
const pageRequests = new Map<number, { page: number; generation: number }>();
let detailRequest = 0;

const style = document.createElement("style");
style.textContent = COCO_CSS;
document.head.append(style);

const host = connectHost<CocoToHost, CocoToWebview>(COCO_TO_WEBVIEW, (message) => {
  switch (message.type) {
    case "preview":
      // The first images while the host still parses the file: no boxes, counts or edits yet.
      if (state.info !== undefined) return;
      state.pages.set(0, message.body.images);
      state.total = message.body.images.length;
      grid.render(true);
      statusBar.textContent = `${message.body.title} — loading: the first ${state.total} images are shown${message.body.withBoxes ? " with their boxes" : ""}; ${message.body.withBoxes ? "" : "boxes, "}counts, filters and editing follow when the file is parsed`;
      markFirstPage();
      return;
    case "init":
      applyInit(message.body);
      return;
    case "page": {
      const req = pageRequests.get(message.body.requestId);
      pageRequests.delete(message.body.requestId);
      if (req === undefined || req.generation !== state.generation) return;
      state.pending.delete(req.page);
      state.pages.set(req.page, message.body.images);
      const firstPage = state.total === 0 && counts === undefined;
      state.total = message.body.total;
      counts = message.body.counts;
      stats = message.body.stats;
      if (firstPage || req.page === 0) drawSidebar();
      grid.render();
      status();
      if (firstPage) markFirstPage();
      if (detail.isOpen && detail.image === null) openAt(detail.pos);
      return;
    }
    case "image":
      if (message.body.requestId === detailRequest && message.body.image !== null) detail.show(message.body.image, detail.pos);
      return;
    case "changed":
      state.reset();
      counts = undefined;
      requestPage(0);
      if (detail.isOpen && detail.image !== null) refreshDetail(detail.image.id);
      grid.render(true);
      return;
    case "error":
      statusBar.textContent = `Error: ${message.body.message}`;
      return;
  }
});

/** Records when the first page of images was drawn (read by the e2e test and the bench). */
function markFirstPage(): void {
  document.body.dataset["firstPageMs"] ??= String(Math.round(performance.now()));
}

/** The file is parsed: take its categories and, with no filter set, its first page as sent. */
function applyInit(info: InitInfo): void {
  const reverted = state.info !== undefined;
  state.info = info;
  document.body.dataset["loadedMs"] ??= String(Math.round(performance.now()));
  const first = info.first;
  if (first === null || !isDefaultFilter(state.filter)) {
    requery();
  } else {
    state.reset();
    if (reverted) {
      grid.focus = 0;
      grid.root.scrollTop = 0;
    }
    state.pages.set(0, first.images);
    state.total = first.total;
    counts = first.counts;
    stats = first.stats;
    drawSidebar();
    grid.render(true);
    status();
    markFirstPage();
  }
  if (reverted && detail.isOpen && detail.image !== null) refreshDetail(detail.image.id);
}

function requestPage(page: number): void {
  if (state.pending.has(page)) return;
  state.pending.add(page);
  const requestId = nextRequest++;
  pageRequests.set(requestId, { page, generation: state.generation });
  host.post("query", { requestId, filter: state.filter, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
}

function refreshDetail(imageId: number | string): void {
  detailRequest = nextRequest++;
  host.post("getImage", { requestId: detailRequest, imageId });
}

function requery(): void {
  state.reset();
  grid.focus = 0;
  grid.root.scrollTop = 0;
  requestPage(0);
}

function edit(op: CocoOp): void {
  if (state.info === undefined) return; // still loading: nothing to edit yet
  host.post("edit", op);
}

function openAt(pos: number): void {
  if (state.info === undefined) return; // the preview has no boxes to review
  if (pos < 0 || pos >= state.total) return;
  detail.pos = pos;
  const image = state.at(pos);
  if (image === undefined) {
    requestPage(Math.floor(pos / PAGE_SIZE));
    return;
  }
  detail.show(image, pos);
  status();
}

function step(delta: number): void {
  // When the shown image left the filtered list (e.g. all verified), the next one moved into its place.
  const here = state.at(detail.pos);
  const stillThere = here !== undefined && here.id === detail.image?.id;
  openAt(delta > 0 ? (stillThere ? detail.pos + 1 : detail.pos) : detail.pos - 1);
}

function status(): void {
  const info = state.info;
  if (info === undefined) return;
  const where = detail.isOpen ? `image ${detail.pos + 1} of ${state.total}` : `${state.total} of ${info.imageCount} images`;
  statusBar.textContent = `${info.title} — ${where} · ${counts?.annotations ?? 0} of ${info.annotationCount} boxes shown · reject: ${info.rejectMode}`;
}

function drawSidebar(): void {
  renderSidebar(side, state, counts, stats, requery);
}

const side = el("div", { id: "side" });
const statusBar = el("div", { id: "status" }, "Loading…");
const grid = new Grid(state, requestPage, (pos) => openAt(pos));
const detail = new Detail(state, edit);
const main = el("div", { id: "main" }, statusBar, grid.root, detail.root);
document.getElementById("root")?.replaceWith(el("div", { id: "app" }, side, main));

window.addEventListener("keydown", (e) => {
  const target = e.target as HTMLElement;
  if (target.tagName === "INPUT" || target.tagName === "SELECT") return;
  if (e.ctrlKey || e.metaKey || e.altKey) return; // Ctrl+Z etc. go to VS Code's own undo.
  const k = e.key;
  let handled = true;
  if (k === "u" || k === "U") {
    if (state.info !== undefined) host.post(e.shiftKey ? "redo" : "undo", null);
  } else if (!detail.isOpen) {
    if (k === "ArrowRight") grid.move("right");
    else if (k === "ArrowLeft") grid.move("left");
    else if (k === "ArrowUp") grid.move("up");
    else if (k === "ArrowDown") grid.move("down");
    else if (k === "Enter") openAt(grid.focus);
    else handled = false;
  } else if (k === "Escape") {
    detail.close();
    grid.focus = Math.max(0, Math.min(detail.pos, state.total - 1));
    grid.render(true);
    status();
  } else if (k === "ArrowRight" || k === "j") step(1);
  else if (k === "ArrowLeft" || k === "k") step(-1);
  else if (k === "Tab") detail.cycle(e.shiftKey ? -1 : 1);
  else if (k === "v" || k === "V") edit({ op: "verify", annIds: detail.targets(e.shiftKey) });
  else if (k === "r" || k === "R") edit({ op: "reject", annIds: detail.targets(e.shiftKey) });
  else if (k === "Delete" || k === "Backspace") edit({ op: "delete", annIds: detail.targets(false) });
  else if (k === "n" || k === "N") detail.toggleDraw();
  else if (/^[1-9]$/.test(k) && detail.selected !== null) {
    const cat = state.info?.categories[Number(k) - 1];
    if (cat !== undefined) edit({ op: "setCategory", annId: detail.selected, categoryId: cat.id });
  } else handled = false;
  if (handled) e.preventDefault();
});

host.post("ready", null);
