/** Vega-Lite charts of a split report, for notebooks and the extension (pure spec builders). */
import type { SplitReport } from "./split-report.js";

/** A Vega-Lite v5 specification as a plain JSON-able object. */
export type SplitChartSpec = Record<string, unknown>;

/** Options for {@link splitCharts}. */
export interface SplitChartsOptions {
  /** Chart title (default "Per-label positive rate by split"). */
  title?: string;
  /** Include the whole input as a series named `all` (default true). */
  includeWhole?: boolean;
}

/**
 * Grouped bars of each label's positive rate in every split (and the whole input), with the
 * relative deviation in the tooltip. https://vega.github.io/vega-lite/docs/
 * @example
 * const spec = splitCharts(report); // display as application/vnd.vegalite.v5+json
 */
export function splitCharts(report: SplitReport, options: SplitChartsOptions = {}): SplitChartSpec {
  const includeWhole = options.includeWhole ?? true;
  const values: Record<string, string | number | null>[] = [];
  if (includeWhole) {
    for (const l of report.whole.labels)
      values.push({
        split: "all",
        label: l.label,
        rate: l.rate,
        positives: l.positives,
        relative_deviation: null,
      });
  }
  for (const s of report.splits) {
    for (const l of s.labels)
      values.push({
        split: s.name,
        label: l.label,
        rate: l.rate,
        positives: l.positives,
        relative_deviation: l.relativeDeviation,
      });
  }
  const splitOrder = [...(includeWhole ? ["all"] : []), ...report.splits.map((s) => s.name)];
  const worst = report.maxRelativeDeviation;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: {
      text: options.title ?? "Per-label positive rate by split",
      subtitle: `${report.mode}, seed ${report.seed}; ratio error ${report.ratioErrorPoints.toFixed(2)} points; largest relative deviation ${worst === null ? "-" : `${worst.value.toFixed(3)} (${worst.label} in ${worst.split})`}`,
    },
    data: { values },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: {
        field: "label",
        type: "nominal",
        sort: report.whole.labels.map((l) => l.label),
        title: "label",
        axis: { labelAngle: -40 },
      },
      xOffset: { field: "split", type: "nominal", sort: splitOrder },
      y: { field: "rate", type: "quantitative", title: "positive rate", axis: { format: "%" } },
      color: { field: "split", type: "nominal", sort: splitOrder, title: "split" },
      tooltip: [
        { field: "split", type: "nominal" },
        { field: "label", type: "nominal" },
        { field: "positives", type: "quantitative" },
        { field: "rate", type: "quantitative", format: ".2%" },
        {
          field: "relative_deviation",
          type: "quantitative",
          format: ".3f",
          title: "relative deviation",
        },
      ],
    },
    width: { step: Math.max(8, Math.round(60 / splitOrder.length)) * splitOrder.length },
    height: 240,
  };
}
