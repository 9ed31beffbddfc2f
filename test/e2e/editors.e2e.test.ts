/**
 * End-to-end: the curator editors in real VS Code (code-server 4.100.3) driven by Chromium.
 * COCO box editor: filter, move a box, verify one, reject another, undo once, save, then the file
 * on disk is checked field by field. Screenshots go to test-output/e2e/.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { BrowserContext, FrameLocator, Page } from "playwright-core";
import { installCodeServer } from "./install.js";
import { CHROMIUM, launchBrowser } from "./support/browser.js";
import { startCodeServer, type CodeServer } from "./support/code-server.js";
import { REPO } from "./support/sample-workspace.js";
import { eventually, openFile, runCommand, screenshot, webviewFrame } from "./support/workbench.js";

const run = promisify(execFile);
const VSIX = join(REPO, "extension", "trainset-vscode.vsix");

/** The COCO file of the test: two images, three annotations with fields trainset does not know. */
const COCO = {
  info: { description: "e2e", vendor: { keep: [1, 2, 3] } },
  images: [
    { id: 1, file_name: "a.png", width: 320, height: 240, flickr_url: "x" },
    { id: 2, file_name: "b.png", width: 320, height: 240 },
  ],
  annotations: [
    { id: 10, image_id: 1, category_id: 1, bbox: [40, 40, 100, 80], area: 8000, iscrowd: 0, source: "template_matching", score: 0.91, note: "first" },
    { id: 11, image_id: 1, category_id: 2, bbox: [180, 120, 60, 60], area: 3600, iscrowd: 0, source: "template_matching", score: 0.55 },
    { id: 12, image_id: 2, category_id: 1, bbox: [10, 10, 50, 50], area: 2500, iscrowd: 0, source: "user_click" },
  ],
  categories: [
    { id: 1, name: "pedestrian", supercategory: "person" },
    { id: 2, name: "bicycle" },
  ],
  licenses: [{ id: 1, name: "CC-BY" }],
};

/** Lines of the big JSONL file; the last one is broken. */
const JSONL_LINES = 1_000_000;

/** Preference records of the pairs file (images under pairs/raw/). */
const PAIRS = [
  { project: "p1", timestamp: "20240101_120000", chosen_path: "a.png", chosen_stage: 2, neg_paths: ["b.png", "c.png"], neg_stages: [1, 3], was_cropped: false, metadata: { raw_dir: "raw", final_dir: "final", extraction_date: "2024-02-01" } },
  { project: "p1", timestamp: "20240101_130000", chosen_path: "c.png", chosen_stage: 3, neg_paths: ["a.png"], neg_stages: [2], was_cropped: true, metadata: { raw_dir: "raw", final_dir: "final", extraction_date: "2024-02-01" } },
];

async function png(path: string, color: string): Promise<void> {
  await run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", `color=c=${color}:s=320x240`, "-frames:v", "1", path]);
}

async function makeWorkspace(dir: string): Promise<void> {
  await mkdir(join(dir, "coco"), { recursive: true });
  await writeFile(join(dir, "coco", "boxes.json"), JSON.stringify(COCO, null, 2) + "\n");
  await png(join(dir, "coco", "a.png"), "steelblue");
  await png(join(dir, "coco", "b.png"), "darkgreen");
  await mkdir(join(dir, "jsonl"), { recursive: true });
  await png(join(dir, "jsonl", "thumb.png"), "orange");
  const parts: string[] = [];
  for (let i = 1; i < JSONL_LINES; i++) parts.push(`{"id":${i},"image":"thumb.png","label":"${i % 3 === 0 ? "cat" : "dog"}","score":${(i % 100) / 100}}\n`);
  parts.push('{"id":1000000, broken\n');
  await writeFile(join(dir, "jsonl", "big.jsonl"), parts.join(""));
  await mkdir(join(dir, "pairs", "raw"), { recursive: true });
  await png(join(dir, "pairs", "raw", "a.png"), "red");
  await png(join(dir, "pairs", "raw", "b.png"), "green");
  await png(join(dir, "pairs", "raw", "c.png"), "blue");
  await writeFile(join(dir, "pairs", "pairs.jsonl"), PAIRS.map((r) => JSON.stringify(r) + "\n").join(""));
}

describe("curator editors in code-server (e2e)", function () {
  this.timeout(600_000);
  let home: string;
  let server: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  let workspace: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`Cannot run the e2e tests: Chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
    installCodeServer();
    if (process.env["TRAINSET_E2E_SKIP_PACKAGE"] !== "1") await run("npm", ["run", "package", "--silent"], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
    home = await mkdtemp(join(tmpdir(), "trainset-e2e-editors-"));
    workspace = join(home, "workspace");
    await makeWorkspace(workspace);
    await mkdir(join(home, "user-data", "User"), { recursive: true });
    await writeFile(join(home, "user-data", "User", "settings.json"), JSON.stringify({ "workbench.startupEditor": "none", "workbench.tips.enabled": false, "extensions.ignoreRecommendations": true, "telemetry.telemetryLevel": "off", "trainset.validateOnScan": false, "workbench.editorAssociations": { "**/big.jsonl": "trainset.jsonlViewer", "**/pairs.jsonl": "trainset.pairsView", "**/instances_train2017.json": "trainset.cocoEditor" } }));
    server = await startCodeServer({ home, extensions: [VSIX] });
    browser = await launchBrowser(join(home, "chromium"));
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(60_000);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(server.folderUrl(workspace), { waitUntil: "domcontentloaded", timeout: 180_000 });
    await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 180_000 });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (home !== undefined) await rm(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && page !== undefined) await screenshot(page, `failed-editors-${this.currentTest.title.replace(/\W+/g, "-")}`).catch(() => undefined);
  });

  it("filters, moves a box, verifies one, rejects another, undoes once and saves the COCO file", async () => {
    await openFile(page, "boxes.json");
    await runCommand(page, "trainset: Open in COCO Box Editor");
    const view: FrameLocator = webviewFrame(page);
    await view.locator(".cell").first().waitFor({ state: "visible", timeout: 90_000 });
    assert.equal(await view.locator(".cell").count(), 2);
    await view.locator('[data-filter="source:user_click"]').check();
    await eventually(async () => (await view.locator(".cell").count()) === 1, 30_000, "the filter to leave one image");
    await view.locator('[data-filter="source:user_click"]').uncheck();
    await view.locator('[data-filter="source:template_matching"]').check();
    await eventually(async () => (await view.locator(".cell").count()) === 1 && (await view.locator('.cell[data-image="1"]').count()) === 1, 30_000, "the template_matching filter to leave image 1");
    await screenshot(page, "coco-grid-filtered");

    await view.locator('.cell[data-image="1"]').click();
    const box = view.locator('#stage .box[data-ann="10"]');
    await box.waitFor({ state: "visible" });
    const frame = await view.locator("#stage .frame").boundingBox();
    const start = await box.boundingBox();
    assert.ok(frame !== null && start !== null);
    const scale = 320 / frame.width;
    const dx = 40;
    await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
    await page.mouse.down();
    await page.mouse.move(start.x + start.width / 2 + dx / 2, start.y + start.height / 2, { steps: 3 });
    await page.mouse.move(start.x + start.width / 2 + dx, start.y + start.height / 2, { steps: 3 });
    await page.mouse.up();
    await view.locator('.ann[data-ann="10"] [data-action="verify"]').click();
    await eventually(async () => ((await view.locator('.ann[data-ann="10"]').textContent()) ?? "").includes("verified"), 30_000, "annotation 10 to show verified");
    await view.locator('.ann[data-ann="11"] [data-action="reject"]').click();
    await eventually(async () => ((await view.locator('.ann[data-ann="11"]').textContent()) ?? "").includes("rejected"), 30_000, "annotation 11 to show rejected");
    await eventually(async () => (await page.locator(".tab.dirty").count()) > 0, 30_000, "the tab to show unsaved changes");
    await screenshot(page, "coco-detail-edited");
    await view.locator("#stage").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("u");
    await eventually(async () => !((await view.locator('.ann[data-ann="11"]').textContent()) ?? "").includes("rejected"), 30_000, "the undo to bring annotation 11 back");
    await runCommand(page, "File: Save");
    await eventually(async () => (await page.locator(".tab.dirty").count()) === 0, 30_000, "the save to finish");

    const saved = JSON.parse(await readFile(join(workspace, "coco", "boxes.json"), "utf8")) as typeof COCO & { annotations: Array<Record<string, unknown>> };
    assert.deepEqual(Object.keys(saved), Object.keys(COCO));
    assert.deepEqual(saved.info, COCO.info);
    assert.deepEqual(saved.images, COCO.images);
    assert.deepEqual(saved.categories, COCO.categories);
    assert.deepEqual(saved.licenses, COCO.licenses);
    assert.deepEqual(saved.annotations.map((a) => a["id"]), [10, 11, 12]);
    const [moved, untouched, other] = saved.annotations;
    assert.ok(moved !== undefined && untouched !== undefined && other !== undefined);
    const bbox = moved["bbox"];
    assert.ok(Math.abs((bbox[0] ?? 0) - (40 + dx * scale)) <= 3 * scale + 1, `box x moved by about ${dx * scale}px: ${JSON.stringify(bbox)}`);
    assert.ok(Math.abs((bbox[1] ?? 0) - 40) <= 2, `box y kept: ${JSON.stringify(bbox)}`);
    assert.deepEqual(bbox.slice(2), [100, 80]);
    assert.equal(moved["verified"], true);
    assert.equal(moved["note"], "first");
    assert.equal(moved["score"], 0.91);
    assert.equal(moved["source"], "template_matching");
    assert.deepEqual(untouched, COCO.annotations[1]);
    assert.deepEqual(other, COCO.annotations[2]);
    await screenshot(page, "coco-saved");
  });

  it("opens a 1,000,000-line JSONL with its first page in the HTML, scrolls to the broken last line, filters broken lines and undoes a review", async () => {
    await runCommand(page, "View: Close All Editors");
    const started = Date.now();
    await openFile(page, "big.jsonl");
    const view = webviewFrame(page);
    await view.locator('.row[data-line="1"]').waitFor({ state: "visible", timeout: 90_000 });
    const firstPageMs = Date.now() - started;
    const inWebviewMs = Number(await view.locator("body").getAttribute("data-first-page-ms"));
    const embedded = JSON.parse((await view.locator("#jsonl-init").textContent()) ?? "null") as { page: { rows: Array<{ line: number }> } | null } | null;
    assert.equal(embedded?.page?.rows.length, 200, "the first page comes in the webview's HTML, without a round trip");
    assert.equal(embedded.page.rows[0]?.line, 1);
    assert.equal((await view.locator('.row[data-line="1"] img').count()) > 0, true, "the image column shows a thumbnail");
    await screenshot(page, "jsonl-first-page");
    await eventually(async () => ((await view.locator("#info").textContent()) ?? "").startsWith("1,000,000 rows"), 120_000, "the index to reach 1,000,000 lines");
    await view.locator('.row[data-line="1"]').click();
    const endStarted = Date.now();
    await page.keyboard.press("End");
    const last = view.locator(`.row[data-line="${JSONL_LINES}"]`);
    await last.waitFor({ state: "visible", timeout: 60_000 });
    const scrollEndMs = Date.now() - endStarted;
    assert.match((await last.getAttribute("class")) ?? "", /broken/);
    assert.match((await last.textContent()) ?? "", /line 1000000:/);
    await screenshot(page, "jsonl-last-line");
    // "Broken lines only" scans every line and keeps the one broken line.
    await view.locator("#broken").check();
    await eventually(async () => ((await view.locator("#info").textContent()) ?? "").startsWith("1 rows"), 60_000, "the filter to leave the one broken line");
    await view.locator(`.row[data-line="${JSONL_LINES}"]`).waitFor({ state: "visible", timeout: 30_000 });
    await view.locator("#broken").uncheck();
    // Review with undo: Space marks line 1 reviewed (the tab turns dirty), U undoes it.
    const first = view.locator('.row[data-line="1"]');
    await first.waitFor({ state: "visible", timeout: 30_000 });
    await first.click();
    await page.keyboard.press(" ");
    await eventually(async () => ((await view.locator('.row[data-line="1"]').textContent()) ?? "").includes("✓"), 30_000, "line 1 to show reviewed");
    await eventually(async () => (await page.locator(".tab.dirty").count()) > 0, 30_000, "the tab to show unsaved changes");
    await page.keyboard.press("u");
    await eventually(async () => (await page.locator(".tab.dirty").count()) === 0 && !((await view.locator('.row[data-line="1"]').textContent()) ?? "").includes("✓"), 30_000, "the undo to leave line 1 unreviewed");
    await mkdir(join(REPO, "test-output", "e2e"), { recursive: true });
    await writeFile(join(REPO, "test-output", "e2e", "editors-timings.json"), JSON.stringify({ jsonlLines: JSONL_LINES, firstPageMsFromOpen: firstPageMs, firstPageMsInWebview: inWebviewMs, scrollToEndMs: scrollEndMs }, null, 2));
  });

  it("opens a COCO-2017-scale file (118k images, 860k boxes): first page of images, then boxes and counts (TRAINSET_E2E_BIG_COCO=1)", async function () {
    if (process.env["TRAINSET_E2E_BIG_COCO"] !== "1") this.skip();
    const images = 118_287;
    const perImage = 7;
    // Polygons of 12 points make the file about 300 MB, like the real instances_train2017.json (448 MB).
    const polygon = (n: number): string => Array.from({ length: 24 }, (_, k) => ((n * 7 + k * 13) % 640) + (k % 4) * 0.25).join(",");
    const parts: string[] = ['{"info":{"description":"synthetic COCO-2017-train scale"},"images":['];
    for (let i = 1; i <= images; i++) parts.push(`${i > 1 ? "," : ""}{"id":${i},"file_name":"${String(i).padStart(12, "0")}.jpg","width":640,"height":480,"license":1}`);
    parts.push('],"annotations":[');
    let id = 0;
    for (let i = 1; i <= images; i++) {
      for (let k = 0; k < perImage + (i % 4 === 0 ? 1 : 0); k++) {
        id++;
        parts.push(`${id > 1 ? "," : ""}{"id":${id},"image_id":${i},"category_id":${(id % 80) + 1},"bbox":[${(k * 61) % 560},${(k * 47) % 400},${40 + (id % 60)},${30 + (id % 50)}],"area":2400.5,"iscrowd":0,"segmentation":[[${polygon(id)}]],"score":${((id % 100) / 100).toFixed(2)},"source":"${id % 5 === 0 ? "user_click" : "template_matching"}"}`);
      }
    }
    parts.push('],"categories":[');
    for (let c = 1; c <= 80; c++) parts.push(`${c > 1 ? "," : ""}{"id":${c},"name":"class${c}","supercategory":"thing"}`);
    parts.push("]}\n");
    await mkdir(join(workspace, "big-coco"), { recursive: true });
    const path = join(workspace, "big-coco", "instances_train2017.json");
    await writeFile(path, parts.join(""));
    const bytes = (await readFile(path)).length;
    await runCommand(page, "View: Close All Editors");
    const started = Date.now();
    await openFile(page, "instances_train2017.json");
    const view = webviewFrame(page);
    // First page: image cells are visible (while the worker still parses, they come without boxes).
    await view.locator(".cell").first().waitFor({ state: "visible", timeout: 180_000 });
    const firstPageMs = Date.now() - started;
    const statusAtFirstPage = (await view.locator("#status").textContent()) ?? "";
    assert.ok((await view.locator(".cell").count()) >= 6, "a page of cells is drawn");
    // Then the first page's boxes (picked from the bytes before the parse ends, or from the parse).
    await view.locator(".cell .box").first().waitFor({ state: "visible", timeout: 180_000 });
    const firstBoxesMs = Date.now() - started;
    const statusAtFirstBoxes = (await view.locator("#status").textContent()) ?? "";
    // Fully loaded: the status counts every image and box.
    await view.locator("#status", { hasText: `${images} of ${images} images` }).waitFor({ timeout: 180_000 });
    const loadedMs = Date.now() - started;
    assert.match((await view.locator("#status").textContent()) ?? "", new RegExp(`of ${id} boxes shown`));
    assert.equal(await view.locator('.cell[data-image="1"] .box').count(), perImage, "image 1 shows its boxes");
    await view.locator("#grid").hover();
    const scrollStarted = Date.now();
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 2000);
    await view.locator(".cell").nth(5).waitFor({ state: "visible" });
    const scrollMs = Date.now() - scrollStarted;
    await screenshot(page, "coco-2017-scale");
    const timings = { images, annotations: id, bytes, firstPageMsFromOpen: firstPageMs, firstBoxesMsFromOpen: firstBoxesMs, loadedMsFromOpen: loadedMs, statusAtFirstPage, statusAtFirstBoxes, firstPageMsInWebview: Number(await view.locator("body").getAttribute("data-first-page-ms")), loadedMsInWebview: Number(await view.locator("body").getAttribute("data-loaded-ms")), scroll20WheelsMs: scrollMs };
    console.log(`      COCO-2017 scale (${(bytes / 1e6).toFixed(0)} MB): first page ${firstPageMs} ms, its boxes ${firstBoxesMs} ms, all counts ${loadedMs} ms after open`);
    await mkdir(join(REPO, "test-output", "e2e"), { recursive: true });
    await writeFile(join(REPO, "test-output", "e2e", "editors-coco-timings.json"), JSON.stringify(timings, null, 2));
  });

  it("flips a winner in the preference pairs view and saves it", async () => {
    await runCommand(page, "View: Close All Editors");
    await openFile(page, "pairs.jsonl");
    const view = webviewFrame(page);
    await view.locator(".img.loser").first().waitFor({ state: "visible", timeout: 90_000 });
    assert.equal(await view.locator(".img.winner").getAttribute("data-path"), "a.png");
    await view.locator("#head").click();
    await page.keyboard.press("1");
    await eventually(async () => (await view.locator(".img.winner").getAttribute("data-path")) === "b.png", 30_000, "b.png to become the winner");
    await page.keyboard.press("ArrowRight");
    await eventually(async () => ((await view.locator("#head").textContent()) ?? "").includes("group 2 of 2"), 30_000, "the second group");
    await page.keyboard.press("t");
    await eventually(async () => ((await view.locator("#mark").textContent()) ?? "").includes("tie"), 30_000, "the tie mark");
    await page.keyboard.press("u");
    await eventually(async () => !((await view.locator("#mark").textContent()) ?? "").includes("tie"), 30_000, "the undo of the tie");
    await screenshot(page, "pairs-flipped");
    await runCommand(page, "File: Save");
    await eventually(async () => (await page.locator(".tab.dirty").count()) === 0, 30_000, "the save to finish");
    const lines = (await readFile(join(workspace, "pairs", "pairs.jsonl"), "utf8")).split("\n");
    assert.equal(lines.length, 3);
    assert.equal(lines[2], "");
    const first = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
    assert.deepEqual(first, { ...PAIRS[0], chosen_path: "b.png", chosen_stage: 1, neg_paths: ["a.png", "c.png"], neg_stages: [2, 3], flipped: true });
    assert.deepEqual(JSON.parse(lines[1] ?? ""), PAIRS[1]);
  });
});
