/** The preference pairs webview: one group at a time, keyboard-first (←/→ group, 1–9 flip, T tie, S skip, 0 clear, U undo). */
import { connectHost, el } from "../../shared/host.js";
import { PAIRS_TO_WEBVIEW, type PairGroupView, type PairImage, type PairsToHost, type PairsToWebview } from "../../protocol/jsonl.js";

const CSS = `
body { padding: 8px 12px; }
#head { display: flex; gap: 12px; align-items: baseline; margin-bottom: 8px; }
#head .mark { font-weight: bold; }
#groups { display: flex; gap: 12px; align-items: flex-start; }
.img { border: 3px solid transparent; padding: 4px; max-width: 46vw; }
.img.winner { border-color: var(--vscode-testing-iconPassed, #3c3); }
.img.loser { border-color: var(--vscode-panel-border); cursor: pointer; }
.img img { max-width: 100%; max-height: 60vh; display: block; }
.losers { display: flex; flex-wrap: wrap; gap: 8px; }
.losers .img { max-width: 22vw; }
.cap { font-size: 12px; opacity: .8; word-break: break-all; }
.keys { margin-top: 10px; font-size: 12px; opacity: .7; }
`;
const style = document.createElement("style");
style.textContent = CSS;
document.head.append(style);

let pos = 0;
let total = 0;
let current: PairGroupView | null = null;
let nextId = 1;
let waiting = 0;

const head = el("div", { id: "head" });
const body = el("div", { id: "groups" });
document.getElementById("root")?.replaceWith(el("div", {}, head, body, el("div", { class: "keys" }, "←/→ or J/K: group · 1–9: that loser wins (flip) · T: tie · S: skip · 0: clear mark · U: undo · Shift+U: redo · Ctrl+S: save")));

const host = connectHost<PairsToHost, PairsToWebview>(PAIRS_TO_WEBVIEW, (message) => {
  if (message.type === "group") {
    if (message.body.requestId !== waiting) return;
    total = message.body.total;
    current = message.body.group;
    if (current !== null) pos = current.pos;
    render();
  } else if (message.type === "changed") load();
  else head.textContent = `Error: ${message.body.message}`;
});

function load(): void {
  waiting = nextId++;
  host.post("getGroup", { requestId: waiting, pos });
}

function picture(image: PairImage, cls: string, caption: string): HTMLElement {
  const node = el("div", { class: `img ${cls}`, "data-path": image.path });
  node.append(image.src !== null ? el("img", { src: image.src, alt: image.path }) : el("div", { class: "cap" }, "(image not shown: outside the dataset folder or missing)"), el("div", { class: "cap" }, `${caption} · stage ${image.stage ?? "?"} · ${image.path}`));
  return node;
}

function render(): void {
  const g = current;
  if (g === null) {
    head.replaceChildren(`No groups (${total} lines)`);
    body.replaceChildren();
    return;
  }
  head.replaceChildren(el("b", {}, `group ${g.pos + 1} of ${total}`), `${g.project} ${g.timestamp} · line ${g.line}`, el("span", { class: "mark", id: "mark" }, `${g.review ?? ""}${g.flipped ? " (flipped)" : ""}`));
  if (g.error !== null) {
    body.replaceChildren(el("div", { class: "cap" }, g.error));
    return;
  }
  const losers = el("div", { class: "losers" }, ...g.losers.map((l, i) => {
    const node = picture(l, "loser", `${i + 1}`);
    node.addEventListener("click", () => flip(i));
    return node;
  }));
  body.replaceChildren(g.winner !== null ? picture(g.winner, "winner", "winner") : el("div", { class: "img winner cap" }, "no image kept (rejected group)"), losers);
}

function flip(i: number): void {
  const loser = current?.losers[i];
  if (current !== null && loser !== undefined) host.post("flip", { line: current.line, winner: loser.path });
}

window.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const k = e.key;
  let handled = true;
  if (k === "ArrowRight" || k === "j") {
    pos = Math.min(total - 1, pos + 1);
    load();
  } else if (k === "ArrowLeft" || k === "k") {
    pos = Math.max(0, pos - 1);
    load();
  } else if (/^[1-9]$/.test(k)) flip(Number(k) - 1);
  else if ((k === "t" || k === "s" || k === "0") && current !== null) host.post("mark", { line: current.line, mark: k === "t" ? "tie" : k === "s" ? "skip" : null });
  else if (k === "u" || k === "U") host.post(e.shiftKey ? "redo" : "undo", null);
  else handled = false;
  if (handled) e.preventDefault();
});

host.post("ready", null);
load();
