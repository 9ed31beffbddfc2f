/**
 * In-browser timing probe of the editors bench (bench/editors.ts). Playwright adds it to every
 * frame of the workbench page before the frame's own scripts run. All times are `Date.now()` of
 * the same machine, so a time taken in a webview frame compares with one taken in the workbench.
 *
 * - Workbench (top frame): the time of the last `mousedown` (the pick in Quick Open that opens the
 *   file) and, when the bench sets `__tsBenchWatch`, the time the text editor first shows a line
 *   containing the watched text.
 * - The webview host frame (`pre/index.html`): when its service-worker controller changed and when
 *   that worker became `activated` (the content frame is loaded only after that).
 * - Any other frame (a webview's content frame): the time the frame's probe started (the frame
 *   exists), the time the first data row is laid out and visible (`.cell` in the COCO editor,
 *   `.row[data-line]` in the JSONL viewer) and every change of the status line (`#status`, `#info`)
 *   with its time. VS Code writes the webview's HTML into the frame with `document.write`, which
 *   keeps the window and its timers, so the probe polls (every 4 ms) instead of observing.
 */
import type { BrowserContext, Page } from "playwright-core";

/** What the probe records in a webview frame. */
export interface FrameMarks {
  /** The probe started in this frame. */
  start: number;
  /** VS Code wrote the editor's HTML into the frame (a script with a nonce is there). */
  written: number;
  /** VS Code made the frame visible (it hides a new webview frame until its page has loaded). */
  shown: number;
  /** First data row laid out and visible, in a visible frame (0: not yet). */
  first: number;
  /** [time, text] of each status-line change. */
  statuses: Array<[number, string]>;
  /** Webview host frame (`pre/index.html`) only: its service-worker controller changed (0: not yet). */
  controllerChange: number;
  /** Webview host frame only: the new controller reached the `activated` state (0: not yet). */
  workerActivated: number;
}

/** What the probe records in the workbench frame. */
export interface TopMarks {
  /** Last mousedown in the workbench. */
  click: number;
  /** Text-editor watch: first visible line containing `text` (at 0: not yet). */
  watch: { text: string; at: number } | undefined;
}

interface ProbeWindow {
  __tsBench?: FrameMarks;
  __tsBenchTop?: TopMarks;
  __tsBenchWatch?: { text: string; at: number };
}

/**
 * The probe itself, as source text: Playwright would serialize a function with `toString()`, and
 * the TypeScript loader may add helper calls (`__name`) that do not exist in the page.
 */
const PROBE = `(() => {
  const w = window;
  if (w.__tsBench !== undefined || w.__tsBenchTop !== undefined) return;
  const visible = (node) => {
    const r = node.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.top < w.innerHeight && r.bottom > 0;
  };
  if (w === w.top) {
    const top = { click: 0 };
    w.__tsBenchTop = top;
    w.addEventListener("mousedown", () => (top.click = Date.now()), true);
    setInterval(() => {
      const watch = w.__tsBenchWatch;
      if (watch === undefined || watch.at !== 0) return;
      for (const line of document.querySelectorAll(".editor-instance .monaco-editor .view-lines .view-line")) {
        if ((line.textContent || "").includes(watch.text) && visible(line)) {
          watch.at = Date.now();
          return;
        }
      }
    }, 4);
    return;
  }
  const marks = { start: Date.now(), written: 0, shown: 0, first: 0, statuses: [], controllerChange: 0, workerActivated: 0 };
  w.__tsBench = marks;
  // The webview host page waits for its service worker to control it and answer before it loads
  // the content frame; record when the controller changes and when it is activated.
  const sw = navigator.serviceWorker;
  if (sw !== undefined && (location.pathname.endsWith("/index.html") || location.pathname.endsWith("/index-no-csp.html"))) {
    sw.addEventListener("controllerchange", () => {
      marks.controllerChange = Date.now();
      const worker = sw.controller;
      if (worker === null) return;
      if (worker.state === "activated") marks.workerActivated = Date.now();
      else worker.addEventListener("statechange", () => {
        if (worker.state === "activated" && marks.workerActivated === 0) marks.workerActivated = Date.now();
      });
    });
  }
  // VS Code keeps a new webview frame hidden (visibility) until its page has loaded; the page
  // deletes window.frameElement, so keep it from now.
  let frame = null;
  try {
    frame = w.frameElement;
  } catch (error) {
    frame = null;
  }
  let last = "";
  setInterval(() => {
    if (marks.written === 0 && document.querySelector("script[nonce]") !== null) marks.written = Date.now();
    if (marks.shown === 0 && (frame === null || frame.style.visibility !== "hidden")) marks.shown = Date.now();
    if (marks.first === 0 && marks.shown !== 0) {
      const row = document.querySelector(".cell, .row[data-line]");
      if (row !== null && visible(row)) marks.first = Date.now();
    }
    const node = document.querySelector("#status, #info");
    const text = node === null ? "" : node.textContent || "";
    if (text !== last) {
      last = text;
      marks.statuses.push([Date.now(), text]);
    }
  }, 4);
})();`;

/** Installs the probe in every frame of every page of `context` (once per context). */
export async function installProbe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: PROBE });
}

/** The workbench's marks. */
export async function topMarks(page: Page): Promise<TopMarks> {
  return page.evaluate(() => {
    const w = globalThis as unknown as ProbeWindow;
    return { click: w.__tsBenchTop?.click ?? 0, watch: w.__tsBenchWatch };
  });
}

/** Starts watching the text editor for a visible line containing `text`. */
export async function watchText(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    (globalThis as unknown as ProbeWindow).__tsBenchWatch = { text: t, at: 0 };
  }, text);
}

/** The marks of every live webview content frame whose probe started after `since`. */
export async function frameMarks(page: Page, since: number): Promise<FrameMarks[]> {
  const out: FrameMarks[] = [];
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    const marks = await frame.evaluate(() => (globalThis as unknown as ProbeWindow).__tsBench).catch(() => undefined);
    if (marks !== undefined && marks.start >= since) out.push(marks);
  }
  return out;
}
