/**
 * Notebook renderer for `application/vnd.vegalite.v5+json` (and v4): draws the spec as SVG with
 * vega-embed. Replacing an output (update_display_data) calls renderOutputItem again on the same
 * element, so the old view is finalized first.
 * Spec: https://code.visualstudio.com/api/extension-guides/notebook#notebook-renderer
 */
import type { VisualizationSpec } from "vega-embed";
import { renderChart } from "../shared/chart.js";

interface OutputItem {
  id: string;
  mime: string;
  json(): unknown;
}

interface RendererContext {
  readonly workspace?: { readonly isTrusted: boolean };
}

const views = new Map<string, () => void>();

/** The renderer's activation function (VS Code's ActivationFunction shape). */
export const activate = (_context: RendererContext): { renderOutputItem(item: OutputItem, element: HTMLElement): Promise<void>; disposeOutputItem(id?: string): void } => ({
  async renderOutputItem(item, element) {
    views.get(item.id)?.();
    const target = document.createElement("div");
    target.className = "trainset-vegalite";
    element.replaceChildren(target);
    try {
      views.set(item.id, await renderChart(target, item.json() as VisualizationSpec));
    } catch (error) {
      const message = document.createElement("pre");
      message.textContent = `Cannot render the Vega-Lite chart: ${error instanceof Error ? error.message : String(error)}`;
      element.replaceChildren(message);
    }
  },
  disposeOutputItem(id) {
    if (id === undefined) {
      for (const finalize of views.values()) finalize();
      views.clear();
      return;
    }
    views.get(id)?.();
    views.delete(id);
  },
});
