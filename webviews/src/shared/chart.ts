/** Renders a Vega-Lite spec to SVG with vega-embed, without eval (AST interpreter, strict CSP). */
import embed, { type VisualizationSpec } from "vega-embed";

/** Renders `spec` into `target`; resolves when drawn, returns a finalize function. */
export async function renderChart(target: HTMLElement, spec: VisualizationSpec): Promise<() => void> {
  const result = await embed(target, spec, { renderer: "svg", actions: false, ast: true });
  return () => result.finalize();
}
