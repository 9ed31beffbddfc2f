/** Stats panel: one section per dataset with a counts table and per-label / per-source bar charts. */
import { connectHost, el } from "../shared/host.js";
import { renderChart } from "../shared/chart.js";
import { STATS_TO_WEBVIEW, type DatasetCounts, type StatsToHost, type StatsToWebview } from "../protocol/stats.js";

const root = document.getElementById("root") as HTMLElement;

function table(rows: Array<[string, string | number]>): HTMLTableElement {
  const body = el("tbody");
  for (const [name, value] of rows) body.append(el("tr", {}, el("th", {}, name), el("td", {}, String(value))));
  return el("table", { class: "counts" }, body);
}

function barChart(title: string, counts: Record<string, number>): HTMLElement {
  const target = el("div", { class: "chart" });
  const values = Object.entries(counts).map(([name, count]) => ({ name, count }));
  void renderChart(target, {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 360,
    data: { values },
    mark: "bar",
    encoding: { y: { field: "name", type: "nominal", sort: "-x", title: null }, x: { field: "count", type: "quantitative" }, tooltip: [{ field: "name" }, { field: "count" }] },
  });
  return target;
}

function section(dataset: DatasetCounts): HTMLElement {
  const rows: Array<[string, string | number]> = [["format", dataset.format]];
  if (dataset.images !== undefined) rows.push(["images", dataset.images]);
  if (dataset.records !== undefined) rows.push([dataset.recordsLabel ?? "records", dataset.records]);
  if (dataset.groups !== undefined) rows.push(["groups", dataset.groups]);
  if (dataset.verifiedShare !== undefined) rows.push(["verified", `${(dataset.verifiedShare * 100).toFixed(1)} %`]);
  for (const [name, value] of Object.entries(dataset.extra ?? {})) rows.push([name, value]);
  const perLabel = dataset.perLabel ?? {};
  const labelRows = Object.entries(perLabel).sort((a, b) => b[1] - a[1]);
  const node = el("section", { class: "dataset" }, el("h2", {}, dataset.path), table(rows));
  if (labelRows.length > 0) node.append(el("h3", {}, "Per label / category"), table(labelRows), barChart("positives per label", perLabel));
  if (dataset.sources !== undefined && Object.keys(dataset.sources).length > 0) node.append(el("h3", {}, "Per source"), barChart("annotations per source", dataset.sources));
  return node;
}

const host = connectHost<StatsToHost, StatsToWebview>(STATS_TO_WEBVIEW, (message) => {
  if (message.type !== "init") return;
  root.replaceChildren(el("h1", {}, `Statistics: ${message.body.title}`), ...message.body.datasets.map(section));
});
host.post("ready", null);
