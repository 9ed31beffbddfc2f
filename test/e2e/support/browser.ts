/** Debian's Chromium driven by playwright-core, in a persistent profile that lets webviews keep cookies. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** The Chromium binary (CHROMIUM_PATH overrides). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Launches Chromium headless with a fresh profile under `profileDir`. */
export async function launchBrowser(profileDir: string): Promise<BrowserContext> {
  // Webview iframes are on another origin: third-party cookies must be allowed for service workers.
  await mkdir(join(profileDir, "Default"), { recursive: true });
  await writeFile(join(profileDir, "Default", "Preferences"), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1500, height: 950 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
