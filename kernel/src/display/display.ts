/**
 * `display`: rich output from notebook cells run by the trainset kernel (HTML, Markdown, images,
 * tables, Vega-Lite charts), with handles that redraw an output in place.
 * Outside the kernel nothing is shown; the handles still carry the MIME bundle.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { JsonObject, JsonValue, MimeBundle } from "../jupyter/messages.js";
import { ioError } from "../util/errors.js";
import { currentDisplaySink } from "./display-sink.js";
import { tableBundle, type TableInput, type TableOptions } from "./table-bundle.js";
import { vegaLiteBundle, withInlineData, type VegaLiteSpec } from "./vega-lite-bundle.js";

const HANDLE_MARK = Symbol.for("trainset.jupyter.displayHandle");

/** An output shown in the notebook; `update()` replaces it in place (`update_display_data`). */
export interface DisplayHandle<T> {
  /** The Jupyter display id shared by the output and its updates. */
  readonly id: string;
  /** Replaces the output with a new value of the same kind. */
  update(value: T): void;
  /** Settles when the last display or update has been rendered and sent. */
  readonly done: Promise<void>;
  /** The last bundle sent (or that would have been sent outside the kernel). */
  readonly data: MimeBundle | undefined;
}

/** Options shared by every display call. */
export interface DisplayOptions {
  /** Display id; reuse one to target the same output from another cell (default: random). */
  id?: string;
  /** Per-MIME metadata, e.g. `{ "image/png": { width: 320 } }`. */
  metadata?: JsonObject;
}

/** Options of {@link display.image}. */
export interface ImageOptions extends DisplayOptions {
  /** Shown width in pixels (the image data is not resized). */
  width?: number;
}

/**
 * A chart spec `display.vegaLite` accepts: a typed Vega-Lite spec (completions for every field), or
 * a plain object built elsewhere (e.g. by trainset's chart builders); vega-lite validates both when
 * rendering, and a bad spec fails the cell.
 */
export type VegaLiteInput = VegaLiteSpec | Readonly<Record<string, unknown>>;

/** What {@link display.vegaLite}'s handle accepts: a new spec, or new rows for the same spec. */
export type VegaLiteUpdate = VegaLiteInput | readonly object[];

/** True for handles returned by `display.*` (the kernel does not echo them as a cell result). */
export function isDisplayHandle(value: unknown): value is DisplayHandle<unknown> {
  return typeof value === "object" && value !== null && (value as { [HANDLE_MARK]?: unknown })[HANDLE_MARK] === true;
}

// Outputs appear in call order: a display rendered asynchronously (vegaLite, image) holds back
// the displays called after it; with nothing pending, a synchronous render is sent at once, so it
// also keeps its place among console output.
let sendOrder: Promise<unknown> = Promise.resolve();
let pendingSends = 0;

function createHandle<T>(render: (value: T) => MimeBundle | Promise<MimeBundle>, initial: T, options: DisplayOptions): DisplayHandle<T> {
  const id = options.id ?? randomUUID();
  const metadata = options.metadata ?? {};
  let chain: Promise<void> = Promise.resolve();
  let last: MimeBundle | undefined;
  const handle = {
    [HANDLE_MARK]: true,
    id,
    get data() {
      return last;
    },
    get done() {
      return chain;
    },
    update(value: T) {
      push(value, "update");
    },
  };
  const push = (value: T, kind: "display" | "update"): void => {
    const sink = currentDisplaySink();
    const send = (bundle: MimeBundle): void => {
      last = bundle;
      if (sink === undefined) return;
      if (kind === "display") sink.display(bundle, metadata, { display_id: id });
      else sink.update(bundle, metadata, id);
    };
    let rendered: Promise<MimeBundle>;
    if (pendingSends === 0) {
      const result = render(value); // a synchronous render error is thrown at the call site
      if (!(result instanceof Promise)) {
        send(result);
        return;
      }
      rendered = result;
    } else {
      rendered = chain.then(() => render(value));
    }
    pendingSends += 1;
    const sent = Promise.all([sendOrder, rendered]).then(([, bundle]) => send(bundle));
    const settled = sent.finally(() => (pendingSends -= 1));
    sendOrder = settled.catch(() => undefined);
    chain = settled;
    sink?.track(chain);
    // Outside a cell nobody may await `done`; keep a failed render from being an unhandled rejection.
    chain.catch(() => undefined);
  };
  push(initial, "display");
  return handle;
}

function base64(data: Uint8Array | string): string {
  return typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

async function imageBundle(source: Uint8Array | string): Promise<MimeBundle> {
  let bytes: Uint8Array;
  if (typeof source === "string") {
    try {
      bytes = await readFile(source);
    } catch (error) {
      throw ioError("display image", source, error);
    }
  } else {
    bytes = source;
  }
  const { default: sharp } = await import("sharp");
  const image = sharp(bytes);
  const info = await image.metadata();
  if (info.format === "png") return { "image/png": base64(bytes), "text/plain": `<image ${info.width}×${info.height} png>` };
  if (info.format === "jpeg") return { "image/jpeg": base64(bytes), "text/plain": `<image ${info.width}×${info.height} jpeg>` };
  const png = await image.png().toBuffer();
  return { "image/png": png.toString("base64"), "text/plain": `<image ${info.width}×${info.height} ${info.format ?? "unknown"} as png>` };
}

function jsonValue(value: unknown): JsonValue {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError("Cannot display JSON: the value is not serialisable (undefined or a function)");
  return JSON.parse(text) as JsonValue;
}

/**
 * Rich output for notebook cells. Each call shows one output and returns a handle to update it.
 * @example
 * import { display } from "trainset";
 * display.markdown("## Epoch 1");
 * const chart = display.vegaLite(spec, { id: "loss" });
 * chart.update(rowsSoFar); // redraws the same chart
 */
export const display = {
  /** Shows HTML. */
  html(html: string, options: DisplayOptions = {}): DisplayHandle<string> {
    return createHandle((value: string) => ({ "text/html": value, "text/plain": value }), html, options);
  },
  /** Shows Markdown. */
  markdown(markdown: string, options: DisplayOptions = {}): DisplayHandle<string> {
    return createHandle((value: string) => ({ "text/markdown": value, "text/plain": value }), markdown, options);
  },
  /** Shows SVG markup. */
  svg(svg: string, options: DisplayOptions = {}): DisplayHandle<string> {
    return createHandle((value: string) => ({ "image/svg+xml": value, "text/plain": "<svg image>" }), svg, options);
  },
  /** Shows PNG bytes (or their base64 text). */
  png(data: Uint8Array | string, options: DisplayOptions = {}): DisplayHandle<Uint8Array | string> {
    return createHandle((value: Uint8Array | string) => ({ "image/png": base64(value), "text/plain": "<png image>" }), data, options);
  },
  /** Shows JPEG bytes (or their base64 text). */
  jpeg(data: Uint8Array | string, options: DisplayOptions = {}): DisplayHandle<Uint8Array | string> {
    return createHandle((value: Uint8Array | string) => ({ "image/jpeg": base64(value), "text/plain": "<jpeg image>" }), data, options);
  },
  /** Shows any JSON value as an expandable tree (`application/json`). */
  json(value: unknown, options: DisplayOptions = {}): DisplayHandle<unknown> {
    return createHandle((v: unknown) => ({ "application/json": jsonValue(v), "text/plain": JSON.stringify(v, null, 2) }), value, options);
  },
  /** Shows plain text. */
  text(text: string, options: DisplayOptions = {}): DisplayHandle<string> {
    return createHandle((value: string) => ({ "text/plain": value }), text, options);
  },
  /** Shows an arquero table or an array of records as an HTML table (first `limit` rows, default 20). */
  table(table: TableInput, options: DisplayOptions & TableOptions = {}): DisplayHandle<TableInput> {
    const tableOptions: TableOptions = options.limit === undefined ? {} : { limit: options.limit };
    return createHandle((value: TableInput) => tableBundle(value, tableOptions), table, options);
  },
  /** Shows an image file or encoded image bytes; formats other than PNG/JPEG are converted to PNG with sharp. */
  image(source: Uint8Array | string, options: ImageOptions = {}): DisplayHandle<Uint8Array | string> {
    const metadata: JsonObject = { ...options.metadata };
    if (options.width !== undefined) {
      metadata["image/png"] = { width: options.width };
      metadata["image/jpeg"] = { width: options.width };
    }
    return createHandle(imageBundle, source, { ...options, metadata });
  },
  /**
   * Shows a Vega-Lite chart (interactive in JupyterLab / VS Code, SVG elsewhere). `update(rows)`
   * swaps the chart's data, `update(spec)` the whole spec; both redraw in place.
   */
  vegaLite(spec: VegaLiteInput, options: DisplayOptions = {}): DisplayHandle<VegaLiteUpdate> {
    let current = spec as VegaLiteSpec;
    const render = (value: VegaLiteUpdate): Promise<MimeBundle> => {
      current = Array.isArray(value) ? withInlineData(current, value) : (value as VegaLiteSpec);
      return vegaLiteBundle(current);
    };
    return createHandle(render, spec, options);
  },
  /** Shows a raw MIME bundle, e.g. `{ "text/html": "<b>hi</b>", "text/plain": "hi" }`. */
  bundle(data: MimeBundle, options: DisplayOptions = {}): DisplayHandle<MimeBundle> {
    return createHandle((value: MimeBundle) => value, data, options);
  },
  /** Clears the cell's output; with `wait`, only when the next output arrives (no flicker). */
  clear(wait = false): void {
    currentDisplaySink()?.clear(wait);
  },
  /**
   * The current cell's AbortSignal: it aborts when the user interrupts the kernel. Pass it to
   * long library calls (`{ signal: display.signal() }`). Outside the kernel it never aborts.
   */
  signal(): AbortSignal {
    return currentDisplaySink()?.signal ?? new AbortController().signal;
  },
};
