/**
 * Vega-Lite v5 specs (plain JSON, pure) for an extraction report: which stage wins per project,
 * and how often the winner was an anomaly or was cropped. https://vega.github.io/vega-lite/
 */
import type { ExtractionReport } from "./report.js";

/** The charts of one report, each a complete Vega-Lite spec. */
export interface HistoricalCharts {
  /** Winners per stage, one bar per project within each stage. */
  winningStages: Record<string, unknown>;
  /** Anomaly and crop rates (share of decisions) per project. */
  rates: Record<string, unknown>;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/**
 * Builds the report's charts; failed projects and projects without decisions are left out.
 * @example const { winningStages } = historicalCharts(result.report); // render with vega-embed
 */
export function historicalCharts(report: ExtractionReport): HistoricalCharts {
  const projects = report.projects.filter((p) => p.error === undefined && p.decisions > 0);
  const stageRows = projects.flatMap((p) =>
    Object.entries(p.winner_stages).map(([stage, count]) => ({ project: p.project, stage: Number(stage), count, share: count / p.decisions })),
  );
  const rateRows = projects.flatMap((p) => [
    { project: p.project, measure: "anomaly", rate: p.anomalies / p.decisions, count: p.anomalies },
    { project: p.project, measure: "cropped", rate: p.cropped / p.decisions, count: p.cropped },
    { project: p.project, measure: "crop by time", rate: p.crop_by_mtime / p.decisions, count: p.crop_by_mtime },
    { project: p.project, measure: "crop by size", rate: p.crop_by_size / p.decisions, count: p.crop_by_size },
  ]);
  return {
    winningStages: {
      $schema: SCHEMA,
      title: "Winning stage per project",
      data: { values: stageRows },
      mark: { type: "bar", tooltip: true },
      encoding: {
        x: { field: "stage", type: "ordinal", title: "stage" },
        xOffset: { field: "project", type: "nominal" },
        y: { field: "count", type: "quantitative", title: "winners" },
        color: { field: "project", type: "nominal" },
        tooltip: [
          { field: "project", type: "nominal" },
          { field: "stage", type: "ordinal" },
          { field: "count", type: "quantitative" },
          { field: "share", type: "quantitative", format: ".1%" },
        ],
      },
    },
    rates: {
      $schema: SCHEMA,
      title: "Anomaly and crop rates per project",
      data: { values: rateRows },
      mark: { type: "bar", tooltip: true },
      encoding: {
        x: { field: "project", type: "nominal", title: "project" },
        xOffset: { field: "measure", type: "nominal", sort: ["anomaly", "cropped", "crop by time", "crop by size"] },
        y: { field: "rate", type: "quantitative", title: "share of decisions", axis: { format: "%" }, scale: { domain: [0, 1] } },
        color: { field: "measure", type: "nominal", sort: ["anomaly", "cropped", "crop by time", "crop by size"] },
        tooltip: [
          { field: "project", type: "nominal" },
          { field: "measure", type: "nominal" },
          { field: "count", type: "quantitative" },
          { field: "rate", type: "quantitative", format: ".1%" },
        ],
      },
    },
  };
}
