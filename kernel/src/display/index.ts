/** Public display API for notebook cells run by the trainset kernel. */
export { display, isDisplayHandle } from "./display.js";
export type { DisplayHandle, DisplayOptions, ImageOptions, VegaLiteInput, VegaLiteUpdate } from "./display.js";
export { tableBundle, isTableLike } from "./table-bundle.js";
export type { TableInput, TableLike, TableOptions } from "./table-bundle.js";
export { vegaLiteBundle, renderVegaLiteSvg, VEGA_LITE_MIME } from "./vega-lite-bundle.js";
// Exported as VegaLiteChartSpec: train/ names its loose chart type VegaLiteSpec.
export type { VegaLiteSpec as VegaLiteChartSpec } from "./vega-lite-bundle.js";
