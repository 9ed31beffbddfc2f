/** The JSONL viewer webview: virtualized table, search, broken lines, cell details, review marks. */
import { connectHost, el } from "../../shared/host.js";
import { JSONL_INIT_ELEMENT, JSONL_TO_WEBVIEW, type JsonlInit, type JsonlPage, type JsonlProgress, type JsonlToHost, type JsonlToWebview, type RowView } from "../../protocol/jsonl.js";
import { cellText, inferColumns, parseRow } from "./table.js";

const ROW = 28;
const PAGE = 200;
const CSS = `
body { padding: 0; margin: 0; overflow: hidden; font-size: 12px; }
#bar { height: 30px; display: flex; gap: 8px; align-items: center; padding: 0 8px; border-bottom: 1px solid var(--vscode-panel-border); }
#bar input[type=search] { width: 260px; }
#wrap { position: absolute; top: 31px; bottom: 0; left: 0; right: 0; display: flex; }
#scroll { flex: 1; overflow: auto; position: relative; outline: none; }
#spacer { position: relative; }
.row { position: absolute; left: 0; height: ${ROW}px; display: flex; white-space: nowrap; border-bottom: 1px solid var(--vscode-panel-border); cursor: default; }
.row.focused { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
.row.broken { color: var(--vscode-errorForeground); }
.row .c { width: 160px; padding: 0 6px; overflow: hidden; text-overflow: ellipsis; line-height: ${ROW}px; flex: none; }
.row .c.n { width: 70px; text-align: right; opacity: .7; }
.row .c.r { width: 90px; }
.row img { height: ${ROW - 4}px; vertical-align: middle; }
.head { position: sticky; top: 0; z-index: 1; background: var(--vscode-editor-background); font-weight: bold; }
#details { width: 360px; flex: none; overflow: auto; border-left: 1px solid var(--vscode-panel-border); padding: 6px; white-space: pre-wrap; font-family: var(--vscode-editor-font-family); }
`;

const style = document.createElement("style");
style.textContent = CSS;
document.head.append(style);

let total = 0;
let indexed = 0;
let done = false;
let manifest = false;
let focus = 0;
let generation = 0;
let nextId = 1;
const columns: string[] = [];
const pages = new Map<number, RowView[]>();
const pending = new Map<number, { page: number; generation: number }>();
const requested = new Set<number>();

const search = el("input", { type: "search", placeholder: "Search lines…", id: "search" });
const broken = el("input", { type: "checkbox", id: "broken" });
const info = el("span", { id: "info" }, "Indexing…");
const head = el("div", { class: "row head" });
const spacer = el("div", { id: "spacer" });
const scroll = el("div", { id: "scroll", tabindex: "0" }, head, spacer);
const details = el("div", { id: "details" }, "Select a row for details. Keys: ↑/↓ move, Space reviewed, G good, B bad, 0 clear mark, U undo, Shift+U redo, Enter annotations (manifest).");
document.getElementById("root")?.replaceWith(el("div", {}, el("div", { id: "bar" }, search, el("label", {}, broken, "broken lines only"), info), el("div", { id: "wrap" }, scroll, details)));

const host = connectHost<JsonlToHost, JsonlToWebview>(JSONL_TO_WEBVIEW, (message) => {
  switch (message.type) {
    case "init":
      manifest = message.body.manifest;
      progress(message.body.progress);
      return;
    case "progress":
      progress(message.body);
      return;
    case "page": {
      const req = pending.get(message.body.requestId);
      pending.delete(message.body.requestId);
      if (req === undefined || req.generation !== generation) return;
      accept(req.page, message.body);
      return;
    }
    case "changed":
      reset();
      return;
    case "error":
      info.textContent = `Error: ${message.body.message}`;
      return;
  }
});

function progress(body: JsonlProgress): void {
  indexed = body.lines;
  done = body.done;
  if (search.value === "" && !broken.checked) {
    total = indexed;
    render();
  }
  status();
}

/** Takes page number `page` of the current view (from a `page` reply, or embedded in the HTML). */
function accept(page: number, body: JsonlPage): void {
  const first = pages.size === 0 && body.rows.length > 0;
  // A short page while the index still grows is asked for again later.
  if (body.rows.length < PAGE && !done) requested.delete(page);
  if (body.rows.length === 0) return;
  pages.set(page, body.rows);
  total = Math.max(body.total, search.value === "" && !broken.checked ? indexed : 0);
  for (const row of body.rows) {
    const parsed = parseRow(row.text);
    if (parsed.ok && columns.length < 40) inferColumns(columns, parsed.value);
  }
  render(true);
  status();
  if (first && document.body.dataset["firstPageMs"] === undefined) document.body.dataset["firstPageMs"] = String(Math.round(performance.now()));
}

function reset(): void {
  pages.clear();
  requested.clear();
  generation++;
  render(true);
}

function request(page: number): void {
  if (requested.has(page)) return;
  requested.add(page);
  const requestId = nextId++;
  pending.set(requestId, { page, generation });
  host.post("query", { requestId, search: search.value, brokenOnly: broken.checked, offset: page * PAGE, limit: PAGE });
}

function rowAt(pos: number): RowView | undefined {
  return pages.get(Math.floor(pos / PAGE))?.[pos % PAGE];
}

function status(): void {
  info.textContent = `${total.toLocaleString("en")} rows${done ? "" : ` (indexing… ${indexed.toLocaleString("en")} lines so far)`}`;
}

const drawn = new Map<number, HTMLElement>();

// VS Code shows a new webview frame once its page has loaded: thumbnails of the first page get
// their source after that, so they never hold the table back.
let loaded = document.readyState === "complete";
const waiting: Array<[HTMLImageElement, string]> = [];
function showImages(): void {
  loaded = true;
  for (const [img, src] of waiting.splice(0)) img.src = src;
}
window.addEventListener("load", showImages);
setTimeout(showImages, 300);

function image(src: string, alt: string): HTMLImageElement {
  const img = el("img", { loading: "lazy", alt });
  if (loaded) img.src = src;
  else waiting.push([img, src]);
  return img;
}

function render(full = false): void {
  spacer.style.height = `${total * ROW}px`;
  head.replaceChildren(el("div", { class: "c n" }, "line"), el("div", { class: "c r" }, "review"), ...columns.map((c) => el("div", { class: "c", title: c }, c)));
  const first = Math.max(0, Math.floor(scroll.scrollTop / ROW) - 5);
  const last = Math.min(total - 1, Math.ceil((scroll.scrollTop + scroll.clientHeight) / ROW) + 5);
  for (const [pos, node] of drawn) {
    if (full || pos < first || pos > last) {
      node.remove();
      drawn.delete(pos);
    }
  }
  for (let pos = first; pos <= last; pos++) {
    if (drawn.has(pos)) continue;
    const row = rowAt(pos);
    if (row === undefined) {
      request(Math.floor(pos / PAGE));
      continue;
    }
    const parsed = parseRow(row.text);
    const node = el("div", { class: `row${parsed.ok ? "" : " broken"}${pos === focus ? " focused" : ""}`, "data-line": String(row.line) });
    node.style.top = `${pos * ROW}px`;
    node.append(el("div", { class: "c n" }, String(row.line)));
    if (!parsed.ok) {
      node.append(el("div", { class: "c r" }, "broken"), el("div", { class: "c", title: parsed.error }, `line ${row.line}: ${parsed.error} — ${row.text.slice(0, 200)}`));
    } else {
      const v = parsed.value as Record<string, unknown>;
      const mark = typeof v["review"] === "string" ? v["review"] : "";
      node.append(el("div", { class: "c r" }, `${v["reviewed"] === true ? "✓ " : ""}${mark}`));
      for (const c of columns) {
        const thumb = row.thumbs[c];
        node.append(thumb !== undefined ? el("div", { class: "c", title: cellText(parsed.value, c) }, image(thumb, c)) : el("div", { class: "c", title: cellText(parsed.value, c) }, cellText(parsed.value, c)));
      }
    }
    node.addEventListener("click", () => select(pos));
    spacer.append(node);
    drawn.set(pos, node);
  }
  spacer.style.width = `${330 + columns.length * 160}px`;
}

function select(pos: number): void {
  focus = Math.max(0, Math.min(total - 1, pos));
  if (focus * ROW < scroll.scrollTop) scroll.scrollTop = focus * ROW;
  else if ((focus + 1) * ROW > scroll.scrollTop + scroll.clientHeight - ROW) scroll.scrollTop = (focus + 2) * ROW - scroll.clientHeight;
  const row = rowAt(focus);
  if (row !== undefined) {
    const parsed = parseRow(row.text);
    details.textContent = `line ${row.line}\n\n${parsed.ok ? JSON.stringify(parsed.value, null, 2) : `broken: ${parsed.error}\n\n${row.text}`}`;
  }
  render(true);
}

scroll.addEventListener("scroll", () => render());
new ResizeObserver(() => render()).observe(scroll);
let timer: ReturnType<typeof setTimeout> | undefined;
search.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    total = 0;
    reset();
    request(0);
  }, 250);
});
broken.addEventListener("change", () => {
  total = 0;
  reset();
  request(0);
});

window.addEventListener("keydown", (e) => {
  if ((e.target as HTMLElement).tagName === "INPUT" || e.ctrlKey || e.metaKey || e.altKey) return;
  const line = rowAt(focus)?.line;
  let handled = true;
  if (e.key === "ArrowDown" || e.key === "j") select(focus + 1);
  else if (e.key === "ArrowUp" || e.key === "k") select(focus - 1);
  else if (e.key === "PageDown") select(focus + Math.floor(scroll.clientHeight / ROW));
  else if (e.key === "PageUp") select(focus - Math.floor(scroll.clientHeight / ROW));
  else if (e.key === "End") select(total - 1);
  else if (e.key === "Home") select(0);
  else if (e.key === "u" || e.key === "U") host.post(e.shiftKey ? "redo" : "undo", null);
  else if (line === undefined) handled = false;
  else if (e.key === " ") {
    const parsed = parseRow(rowAt(focus)?.text ?? "");
    const reviewed = parsed.ok && (parsed.value as Record<string, unknown>)["reviewed"] === true;
    host.post("review", { lines: [line], reviewed: !reviewed });
  } else if (e.key === "g") host.post("review", { lines: [line], mark: "good" });
  else if (e.key === "b") host.post("review", { lines: [line], mark: "bad" });
  else if (e.key === "0") host.post("review", { lines: [line], mark: null });
  else if (e.key === "Enter" && manifest) host.post("openAnnotations", { line });
  else handled = false;
  if (handled) e.preventDefault();
});

// The host embeds the first page in the HTML: draw it now, before any message.
const embedded = document.getElementById(JSONL_INIT_ELEMENT)?.textContent;
if (embedded !== undefined && embedded !== null && embedded !== "") {
  const init = JSON.parse(embedded) as JsonlInit;
  manifest = init.manifest;
  indexed = init.progress.lines;
  done = init.progress.done;
  total = indexed;
  if (init.page !== null) {
    requested.add(0);
    accept(0, init.page);
  }
}
host.post("ready", null);
if (!pages.has(0)) request(0);
