/**
 * End-to-end: the packaged extension in real VS Code (code-server 4.100.3) driven by Chromium.
 * Builds the .vsix, makes the demo workspace, then checks the explorer counts, a validation
 * problem, a notebook run on the trainset kernel (print, Vega-Lite SVG, interrupt with state kept)
 * and the runs panel curve. Screenshots go to test-output/e2e/.
 * Installs code-server into test/e2e/node_modules on first use (npm registry only).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { BrowserContext, Page } from "playwright-core";
import { installCodeServer } from "./install.js";
import { CHROMIUM, launchBrowser } from "./support/browser.js";
import { startCodeServer, type CodeServer } from "./support/code-server.js";
import { BROKEN_LINE, REPO, makeSampleWorkspace } from "./support/sample-workspace.js";
import { eventually, openFile, pickQuickItem, runCommand, screenshot, webviewFrame } from "./support/workbench.js";

const run = promisify(execFile);
const VSIX = join(REPO, "extension", "trainset-vscode.vsix");

/** Runs the notebook cell containing `text` with its own run button (scrolling it into the virtualized list). */
async function runCell(page: Page, text: string): Promise<void> {
  const cell = page.locator(".notebookOverlay .code-cell-row", { hasText: text }).first();
  const button = cell.locator(".run-button-container .action-label").first();
  // The notebook list scrolls itself (virtualized), so wheel until the cell's run button shows.
  for (let i = 0; i < 30; i++) {
    if ((await cell.count()) > 0) {
      // Bring the cell itself into view first: wheeling alone can scroll past it.
      await cell.scrollIntoViewIfNeeded({ timeout: 2000 }).catch(() => undefined);
      await cell.hover({ timeout: 2000 }).catch(() => undefined);
      if (await button.isVisible()) break;
    }
    await page.locator(".notebookOverlay .cell-list-container").hover({ position: { x: 400, y: 200 } });
    await page.mouse.wheel(0, 250);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await cell.hover({ timeout: 5000 }).catch(() => undefined);
  if (await button.isVisible()) {
    await button.click();
    return;
  }
  // The toolbar can stay hidden (a panel over the cell, or the hover lost to a re-render): focus
  // the cell's editor instead and run it with the command palette, as a user would.
  await runCommand(page, "View: Hide Panel").catch(() => undefined);
  // With no panel open the command is not offered and the quick pick stays open: close it.
  if (await page.locator(".quick-input-widget").isVisible()) await page.keyboard.press("Escape");
  await cell.scrollIntoViewIfNeeded({ timeout: 5000 }).catch(() => undefined);
  await cell.locator(".monaco-editor .view-lines").first().click({ timeout: 30_000 });
  await runCommand(page, "Notebook: Execute Cell");
}

describe("VS Code extension in code-server (e2e)", function () {
  this.timeout(600_000);
  let home: string;
  let server: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  let expected: Awaited<ReturnType<typeof makeSampleWorkspace>>;
  let workspace: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`Cannot run the e2e tests: Chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
    installCodeServer();
    if (!existsSync(join(REPO, "kernel", "dist", "cli", "main.js"))) await run("npm", ["run", "build"], { cwd: REPO });
    await run("npm", ["run", "package", "--silent"], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
    home = await mkdtemp(join(tmpdir(), "trainset-e2e-"));
    workspace = join(home, "workspace");
    expected = await makeSampleWorkspace(workspace);
    await mkdir(join(home, "user-data", "User"), { recursive: true });
    await writeFile(join(home, "user-data", "User", "settings.json"), JSON.stringify({ "workbench.startupEditor": "none", "workbench.tips.enabled": false, "extensions.ignoreRecommendations": true, "telemetry.telemetryLevel": "off", "notebook.confirmDeleteRunningCell": false }));
    server = await startCodeServer({ home, extensions: [VSIX] });
    browser = await launchBrowser(join(home, "chromium"));
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(60_000);
    await page.goto(server.folderUrl(workspace), { waitUntil: "domcontentloaded", timeout: 180_000 });
    await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 180_000 });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (home !== undefined) await rm(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && page !== undefined) await screenshot(page, `failed-${this.currentTest.title.replace(/\W+/g, "-")}`).catch(() => undefined);
  });

  it("lists the demo's datasets with the counts the CLI reports", async () => {
    await page.locator('.activitybar a.action-label[aria-label^="trainset"]').click();
    const tree = page.locator('.pane:has(.pane-header[aria-label*="Datasets"]) .monaco-list-row');
    const cocoRow = tree.filter({ hasText: "coco/dataset.json" });
    await cocoRow.waitFor({ state: "visible", timeout: 90_000 });
    const counts = `${expected.coco.images} images · ${expected.coco.records} annotations`;
    await eventually(async () => ((await cocoRow.textContent()) ?? "").includes(counts), 120_000, `the COCO row to show "${counts}"`);
    for (const name of ["legacy/legacy_img_dicts.jsonl", "runs-dataset", "video-export/annotations.csv", "broken/broken_img_dicts.jsonl"]) {
      assert.equal(await tree.filter({ hasText: name }).count() > 0, true, `${name} is listed`);
    }
    await screenshot(page, "explorer");
  });

  it("shows a validation problem with its file and line in the Problems panel", async () => {
    await runCommand(page, "trainset: Validate");
    await pickQuickItem(page, "broken/broken_img_dicts.jsonl");
    const brokenRow = page.locator('.monaco-list-row[role="treeitem"]', { hasText: "broken/broken_img_dicts.jsonl" }).first();
    await eventually(async () => ((await brokenRow.textContent()) ?? "").includes("1 error"), 180_000, "the broken dataset's warning");
    await runCommand(page, "View: Focus Problems");
    const marker = page.locator(".markers-panel .monaco-list-row", { hasText: "is not valid JSON" }).first();
    await marker.waitFor({ state: "visible", timeout: 60_000 });
    const text = (await marker.textContent()) ?? "";
    assert.match(text, new RegExp(`\\[Ln ${BROKEN_LINE}`), `problem row "${text}" names line ${BROKEN_LINE}`);
    await screenshot(page, "problems");
  });

  it("runs notebook cells on the trainset kernel: printed text and a Vega-Lite SVG", async () => {
    await runCommand(page, "View: Hide Panel").catch(() => page.keyboard.press("Escape"));
    await openFile(page, "e2e.ipynb");
    await page.locator(".notebookOverlay .cell-list-container").waitFor({ state: "visible", timeout: 60_000 });
    // Select the controller explicitly (VS Code usually preselects it: the notebook names the trainset spec).
    await runCommand(page, "trainset: Select trainset Kernel");
    await runCell(page, "hello from trainset");
    await runCell(page, "e2e chart");
    const outputs = webviewFrame(page, ".notebookOverlay");
    await outputs.locator("text=hello from trainset").first().waitFor({ state: "visible", timeout: 120_000 });
    await outputs.locator(".trainset-vegalite svg .mark-rect path").first().waitFor({ state: "attached", timeout: 120_000 });
    await screenshot(page, "notebook");
  });

  it("interrupts a long cell and keeps the kernel's state", async () => {
    // Cell 3 increments counter, then waits ten minutes.
    await runCell(page, "long cell started");
    const outputs = webviewFrame(page, ".notebookOverlay");
    await outputs.locator("text=long cell started").first().waitFor({ state: "visible", timeout: 60_000 });
    // The notebook toolbar's Interrupt button calls the controller's interruptHandler.
    const interrupt = page.locator('.notebook-toolbar-container .action-label[aria-label*="Interrupt"]').first();
    if (await interrupt.isVisible()) await interrupt.click();
    else await runCommand(page, "trainset: Interrupt Kernel");
    await outputs.locator("text=interrupted").first().waitFor({ state: "visible", timeout: 60_000 });
    await runCell(page, "counter is");
    const counter = outputs.locator("text=counter is 42").first();
    const shown = await counter.waitFor({ state: "visible", timeout: 45_000 }).then(
      () => true,
      () => false,
    );
    if (!shown) {
      // Seen twice in full runs: the run went to the chart cell above (the virtualized list moved
      // under the click; the chart cell got the next execution count). The cell only prints, so
      // running it again tests the same thing: the kernel kept `counter` through the interrupt.
      await runCell(page, "counter is");
      await counter.waitFor({ state: "visible", timeout: 60_000 });
    }
    await screenshot(page, "notebook-interrupted");
  });

  it("shows a finished run's curve in the runs panel", async () => {
    await runCommand(page, "View: Hide Panel").catch(() => page.keyboard.press("Escape"));
    await runCommand(page, "trainset: Open Runs Panel");
    const panel = webviewFrame(page);
    await panel.locator("table.runs tr[data-run^='demo-train']").first().waitFor({ state: "visible", timeout: 60_000 });
    assert.match((await panel.locator("table.runs tr[data-run^='demo-train']").first().textContent()) ?? "", /completed/);
    await panel.locator("#curves svg .mark-line path").first().waitFor({ state: "attached", timeout: 60_000 });
    await screenshot(page, "runs-panel");
  });
});
