/**
 * Vega-Lite charts for Jupyter: the spec as `application/vnd.vegalite.v5+json` plus an SVG
 * rendered in Node (for viewers without the Vega-Lite renderer, e.g. GitHub or nbviewer).
 */
import type { TopLevelSpec } from "vega-lite";
import type { JsonObject, MimeBundle } from "../jupyter/messages.js";
import { TrainsetError, errorMessage } from "../util/errors.js";

/** The MIME type JupyterLab, Notebook 7 and VS Code render as an interactive chart. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/** A Vega-Lite spec, as typed by vega-lite. */
export type VegaLiteSpec = TopLevelSpec;

/**
 * Renders a Vega-Lite spec to SVG text with vega in Node (no browser); vega is loaded on first use.
 * @example
 * const svg = await renderVegaLiteSvg({ data: { values: [{ x: 1 }] }, mark: "point", encoding: { x: { field: "x", type: "quantitative" } } });
 */
export async function renderVegaLiteSvg(spec: VegaLiteSpec): Promise<string> {
  const [vegaLite, vega] = await Promise.all([import("vega-lite"), import("vega")]);
  let view: InstanceType<typeof vega.View> | undefined;
  try {
    const compiled = vegaLite.compile(spec).spec;
    view = new vega.View(vega.parse(compiled), { renderer: "none" });
    return await view.toSVG();
  } catch (error) {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot render Vega-Lite chart: ${errorMessage(error)}`, { cause: error });
  } finally {
    view?.finalize();
  }
}

/**
 * Builds the display bundle of a chart: the spec as a JSON object and its SVG fallback.
 * @example
 * const bundle = await vegaLiteBundle(spec); // { "application/vnd.vegalite.v5+json": {...}, "image/svg+xml": "<svg…" }
 */
export async function vegaLiteBundle(spec: VegaLiteSpec): Promise<MimeBundle> {
  const json = JSON.parse(JSON.stringify(spec)) as JsonObject;
  json.$schema ??= "https://vega.github.io/schema/vega-lite/v5.json";
  const svg = await renderVegaLiteSvg(spec);
  return { [VEGA_LITE_MIME]: json, "image/svg+xml": svg, "text/plain": "<Vega-Lite chart>" };
}

/** Returns a copy of `spec` whose inline data is `rows` (the top-level `data` is replaced). */
export function withInlineData(spec: VegaLiteSpec, rows: readonly object[]): VegaLiteSpec {
  return { ...spec, data: { values: rows as object[] } } as VegaLiteSpec;
}
