/** Vega-Lite v5 spec of a run's history (losses and validation metrics per epoch); pure. */
import type { RunMeta } from "./run-folder.js";
import type { EpochEvent } from "./train.js";

/** A Vega-Lite spec as a plain object. */
export type TrainingChartSpec = Record<string, unknown>;

/**
 * Two panels: train/val/test loss, and val mAP / macro-F1, by epoch.
 * @example display.vegaLite(trainingCharts(meta.history), { id: "train" })
 */
export function trainingCharts(history: RunMeta["history"]): TrainingChartSpec {
  const rows: { epoch: number; series: string; value: number; panel: string }[] = [];
  const add = (series: string, values: readonly number[], panel: string): void =>
    values.forEach((value, i) => rows.push({ epoch: i + 1, series, value, panel }));
  add("train_loss", history.train_loss, "loss");
  add("val_loss", history.val_loss, "loss");
  add("test_loss", history.test_loss, "loss");
  add("val_map", history.val_map, "validation metric");
  add("val_macro_f1", history.val_macro_f1, "validation metric");
  const layer = (panel: string, title: string): TrainingChartSpec => ({
    title,
    width: 320,
    height: 200,
    transform: [{ filter: { field: "panel", equal: panel } }],
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "epoch", type: "quantitative", axis: { tickMinStep: 1 } },
      y: { field: "value", type: "quantitative", title },
      color: { field: "series", type: "nominal" },
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    data: { values: rows },
    hconcat: [layer("loss", "loss"), layer("validation metric", "val metric")],
  };
}

/**
 * The same chart from the `onEpoch` events seen so far (for a live chart updated each epoch).
 * @example const seen: EpochEvent[] = []; onEpoch: (e) => { seen.push(e); show(trainingChartsFromEpochs(seen)); }
 */
export function trainingChartsFromEpochs(events: readonly EpochEvent[]): TrainingChartSpec {
  return trainingCharts({
    train_loss: events.map((e) => e.train_loss),
    val_loss: events.map((e) => e.val_loss),
    test_loss: events.map((e) => e.test_loss),
    val_map: events.map((e) => e.val_map),
    val_macro_f1: events.map((e) => e.val_macro_f1),
    lr: events.map((e) => e.lr),
  });
}
