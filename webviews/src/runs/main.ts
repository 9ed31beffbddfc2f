/**
 * Runs panel: curves of the selected runs overlaid (live: the host pushes new history rows), a
 * sortable table of params and final metrics with CSV export, per-label metrics of the focused
 * run, and actions (cancel, deploy, revert, restore) that the host confirms.
 */
import { connectHost, el } from "../shared/host.js";
import { renderChart } from "../shared/chart.js";
import { RUNS_TO_WEBVIEW, type RunView, type RunsToHost, type RunsToWebview } from "../protocol/runs.js";

const root = document.getElementById("root") as HTMLElement;
let runs: RunView[] = [];
const selected = new Set<string>();
let metric = "val_loss";
let sortKey = "id";
let sortDescending = false;
let focused: string | undefined;
let finalizeChart: (() => void) | undefined;

function metricNames(): string[] {
  const names = new Set<string>();
  for (const run of runs) for (const row of run.history) for (const key of Object.keys(row)) if (!["epoch", "epochs", "seconds", "eta_seconds"].includes(key)) names.add(key);
  return [...names].sort();
}

async function drawChart(target: HTMLElement): Promise<void> {
  const values = runs.filter((r) => selected.has(r.id)).flatMap((r) => r.history.filter((row) => typeof row[metric] === "number").map((row) => ({ run: r.id, epoch: row.epoch, value: row[metric] })));
  finalizeChart?.();
  finalizeChart = await renderChart(target, {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: 560,
    height: 260,
    data: { values },
    mark: { type: "line", point: true },
    encoding: { x: { field: "epoch", type: "quantitative" }, y: { field: "value", type: "quantitative", title: metric, scale: { zero: false } }, color: { field: "run", type: "nominal" }, tooltip: [{ field: "run" }, { field: "epoch" }, { field: "value" }] },
  });
}

function cellValue(run: RunView, key: string): string | number {
  if (key === "id") return run.id;
  if (key === "status") return run.status;
  if (key === "epochs") return run.epochs;
  const value = run.params[key] ?? run.metrics[key];
  return typeof value === "boolean" ? String(value) : (value ?? "");
}

function format(value: string | number): string {
  return typeof value === "number" && !Number.isInteger(value) ? value.toFixed(4) : String(value);
}

function runsTable(): HTMLTableElement {
  const params = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const columns = ["id", "status", "epochs", ...metrics, ...params];
  const sorted = [...runs].sort((a, b) => {
    const x = cellValue(a, sortKey);
    const y = cellValue(b, sortKey);
    const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return sortDescending ? -order : order;
  });
  const head = el("tr", {}, el("th", {}, "show"));
  for (const column of columns) {
    const th = el("th", { class: "sortable", "data-column": column }, column + (column === sortKey ? (sortDescending ? " ▼" : " ▲") : ""));
    th.addEventListener("click", () => {
      sortDescending = sortKey === column ? !sortDescending : false;
      sortKey = column;
      render();
    });
    head.append(th);
  }
  const body = el("tbody");
  for (const run of sorted) {
    const box = el("input", { type: "checkbox" });
    box.checked = selected.has(run.id);
    box.addEventListener("change", () => {
      if (box.checked) selected.add(run.id);
      else selected.delete(run.id);
      render();
    });
    const row = el("tr", { "data-run": run.id, class: run.id === focused ? "focused" : "" }, el("td", {}, box));
    for (const column of columns) row.append(el("td", {}, format(cellValue(run, column))));
    row.addEventListener("click", (event) => {
      if (event.target instanceof HTMLInputElement) return;
      focused = run.id;
      render();
    });
    body.append(row);
  }
  return el("table", { class: "runs" }, el("thead", {}, head), body);
}

function focusedDetails(): HTMLElement {
  const run = runs.find((r) => r.id === focused);
  if (run === undefined) return el("p", {}, "Click a run for its per-label metrics and actions.");
  const actions = el("div", { class: "actions" });
  const names: Array<[RunsToHost["action"]["action"], string]> = run.source === "job" ? [["cancel", "Cancel job"]] : [["deploy", "Deploy…"], ["restore", "Restore this version…"], ["revert", "Revert to default…"]];
  for (const [action, label] of names) {
    const button = el("button", { "data-action": action }, label);
    button.addEventListener("click", () => host.post("action", { action, id: run.id }));
    actions.append(button);
  }
  const labels = el("tbody");
  for (const row of run.perLabel) labels.append(el("tr", {}, el("td", {}, row.label), el("td", {}, format(row.precision)), el("td", {}, format(row.recall)), el("td", {}, format(row.f1)), el("td", {}, String(row.support)), el("td", {}, row.ap === null ? "–" : format(row.ap))));
  return el("section", { class: "details" }, el("h2", {}, `${run.id} (${run.status})`), actions, el("p", { id: "action-result" }), run.perLabel.length === 0 ? el("p", {}, "No per-label metrics yet.") : el("table", { class: "per-label" }, el("thead", {}, el("tr", {}, ...["label", "precision", "recall", "F1", "support", "AP"].map((h) => el("th", {}, h)))), labels));
}

function render(): void {
  const picker = el("select", { id: "metric" });
  for (const name of metricNames()) {
    const option = el("option", { value: name }, name);
    option.selected = name === metric;
    picker.append(option);
  }
  picker.addEventListener("change", () => {
    metric = picker.value;
    render();
  });
  const exportButton = el("button", { id: "export-csv" }, "Export CSV…");
  exportButton.addEventListener("click", () => host.post("exportCsv", null));
  const chart = el("div", { id: "curves", class: "chart" });
  root.replaceChildren(el("h1", {}, "Training runs"), el("div", { class: "toolbar" }, el("label", {}, "metric ", picker), exportButton), chart, runsTable(), focusedDetails());
  void drawChart(chart);
}

const host = connectHost<RunsToHost, RunsToWebview>(RUNS_TO_WEBVIEW, (message) => {
  switch (message.type) {
    case "init":
      runs = message.body.runs;
      if (selected.size === 0) for (const run of runs.filter((r) => r.history.length > 0).slice(0, 5)) selected.add(run.id);
      focused ??= runs[0]?.id;
      break;
    case "history": {
      const run = runs.find((r) => r.id === message.body.id);
      if (run === undefined) return;
      run.history = message.body.history;
      run.status = message.body.status;
      break;
    }
    case "actionResult": {
      const target = document.getElementById("action-result");
      if (target !== null) target.textContent = message.body.message;
      return;
    }
  }
  render();
});
host.post("ready", null);
