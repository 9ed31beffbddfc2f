/** Small helpers to drive the VS Code workbench in code-server with Playwright. */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { FrameLocator, Page } from "playwright-core";

/** Where screenshots go (gitignored). */
export const SCREENSHOTS = join(process.cwd(), "test-output", "e2e");

/** Saves a screenshot named `name.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Runs a command by its palette title (F1, type, click the matching row). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press("Escape");
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 5 } }).catch(() => undefined);
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible" });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ state: "visible", timeout: 15_000 });
  await row.click();
}

/** Picks a row in an open quick pick. */
export async function pickQuickItem(page: Page, text: string, timeout = 30_000): Promise<void> {
  const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: text }).first();
  await row.waitFor({ state: "visible", timeout });
  await row.click();
}

/** Opens a workspace file through Quick Open. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible" });
  await input.fill(name);
  await pickQuickItem(page, name);
}

/** The content frame of the last ready webview (panels and notebook outputs). */
export function webviewFrame(page: Page, scope = ""): FrameLocator {
  return page.frameLocator(`${scope} iframe.webview.ready`.trim()).last().frameLocator("#active-frame");
}

/** Polls `check` until it returns true (throws the last error on timeout). */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
}
