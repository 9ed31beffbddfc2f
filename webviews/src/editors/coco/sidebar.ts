/** The side panel: filters with live counts and per-category statistics. */
import { el } from "../../shared/host.js";
import type { CategoryStats, FilterCounts, ReviewStatus } from "../../protocol/coco.js";
import type { EditorState } from "./state.js";

const STATUSES: ReviewStatus[] = ["unverified", "verified", "rejected"];

function toggle<T>(list: T[], value: T, on: boolean): T[] {
  return on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value);
}

/** Draws the filters and statistics; `changed` is called after the curator changes a filter. */
export function renderSidebar(root: HTMLElement, state: EditorState, counts: FilterCounts | undefined, stats: CategoryStats[], changed: () => void): void {
  const info = state.info;
  if (info === undefined) return;
  const f = state.filter;
  const box = (name: string, checked: boolean, label: Node[], count: number | undefined, onChange: (on: boolean) => void): HTMLElement => {
    const input = el("input", { type: "checkbox", "data-filter": name });
    input.checked = checked;
    input.addEventListener("change", () => onChange(input.checked));
    return el("label", {}, input, ...label, el("span", { class: "count" }, String(count ?? 0)));
  };
  const parts: Node[] = [el("h3", {}, "Categories")];
  for (const c of info.categories) {
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = c.color;
    parts.push(box(`category:${c.name}`, f.categories.includes(c.id), [swatch, document.createTextNode(c.name)], counts?.byCategory[String(c.id)], (on) => ((f.categories = toggle(f.categories, c.id, on)), changed())));
  }
  parts.push(el("h3", {}, "Source"));
  for (const s of info.sources) parts.push(box(`source:${s}`, f.sources.includes(s), [document.createTextNode(s)], counts?.bySource[s], (on) => ((f.sources = toggle(f.sources, s, on)), changed())));
  parts.push(el("h3", {}, "Review"));
  for (const s of STATUSES) parts.push(box(`status:${s}`, f.statuses.includes(s), [document.createTextNode(s)], counts?.byStatus[s], (on) => ((f.statuses = toggle(f.statuses, s, on)), changed())));
  parts.push(el("h3", {}, "Confidence"));
  const min = el("input", { type: "number", min: "0", max: "1", step: "0.05", value: String(f.minConfidence), "data-filter": "min-confidence" });
  const max = el("input", { type: "number", min: "0", max: "1", step: "0.05", value: String(f.maxConfidence), "data-filter": "max-confidence" });
  const onRange = (): void => {
    f.minConfidence = Number(min.value) || 0;
    f.maxConfidence = max.value === "" ? 1 : Number(max.value);
    changed();
  };
  min.addEventListener("change", onRange);
  max.addEventListener("change", onRange);
  parts.push(el("label", {}, min, "to", max));
  parts.push(el("h3", {}, "Statistics"));
  const table = el("table", { id: "stats" }, el("tr", {}, el("th", {}, "category"), el("th", {}, "boxes"), el("th", {}, "✓"), el("th", {}, "✗")));
  for (const s of stats) table.append(el("tr", {}, el("td", {}, state.name(s.id)), el("td", {}, String(s.total)), el("td", {}, String(s.verified)), el("td", {}, String(s.rejected))));
  parts.push(table);
  parts.push(el("div", { class: "keys" }, "Grid: arrows, Enter opens. Detail: ←/→ image, Tab box, V verify (Shift: image), R reject (Shift: image), Del delete, N draw, 1–9 category, U undo, Shift+U redo, Esc back."));
  root.replaceChildren(...parts);
}
