// Installs code-server (VS Code in the browser) into test/e2e/node_modules for the e2e tests,
// without downloads outside the npm registry: @vscode/ripgrep's GitHub download is served from
// its cache folder, seeded with a tarball of Debian's `rg`. See ../../../shared/notes/vscode-e2e.md.
// The install lives in a machine-wide cache folder keyed by this package's manifest and lock
// (`$TRAINSET_E2E_CACHE`, else `~/.cache/trainset/e2e-<hash>`), linked as test/e2e/node_modules:
// a fresh clone on a machine that ran the e2e tests before reuses it instead of spending minutes
// on npm install and native builds again.
// Usage: node --import tsx test/e2e/install.ts   (no-op when already installed)
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, copyFileSync, renameSync, rmSync, readFileSync, symlinkSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const codeServer = join(here, "node_modules", "code-server");
const manifests = ["package.json", "package-lock.json"].filter((name) => existsSync(join(here, name)));

/** The cache folder for this exact manifest (+ lock). */
function cacheDir(): string {
  const hash = createHash("sha256");
  for (const name of manifests) hash.update(name).update(readFileSync(join(here, name)));
  const base = process.env.TRAINSET_E2E_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "trainset");
  return join(base, `e2e-${hash.digest("hex").slice(0, 16)}`);
}

/** Points test/e2e/node_modules at the cache's node_modules (replacing an older link). */
function linkNodeModules(cache: string): void {
  const link = join(here, "node_modules");
  try {
    const stat = lstatSync(link);
    if (stat.isSymbolicLink()) rmSync(link);
    else return; // a real folder from an earlier in-place install: keep using it
  } catch {
    // no link yet
  }
  symlinkSync(join(cache, "node_modules"), link, "dir");
}
const marker = join(codeServer, "lib", "vscode", "node_modules", "@vscode", "ripgrep", "bin", "rg");

/** True when code-server and its VS Code dependencies are installed. */
export function isInstalled(): boolean {
  return existsSync(join(codeServer, "out", "node", "entry.js")) && existsSync(marker);
}

// @vscode/ripgrep version -> the ripgrep-prebuilt tag its postinstall downloads.
const RIPGREP_TAGS: Record<string, string> = { "1.15.11": "v13.0.0-10", "1.15.10": "v13.0.0-10", "1.15.9": "v13.0.0-10", "1.15.14": "v13.0.0-13" };

function seedRipgrepCache(): void {
  const rg = ["/usr/bin/rg", "/usr/local/bin/rg"].find((p) => existsSync(p));
  if (rg === undefined) throw new Error("Cannot install code-server offline: ripgrep (rg) is missing; install Debian's ripgrep package");
  const stage = mkdtempSync(join(tmpdir(), "rg-stage-"));
  copyFileSync(rg, join(stage, "rg"));
  for (const [version, tag] of Object.entries(RIPGREP_TAGS)) {
    const cache = join(tmpdir(), `vscode-ripgrep-cache-${version}`);
    mkdirSync(cache, { recursive: true });
    const tarball = join(cache, `ripgrep-${tag}-x86_64-unknown-linux-musl.tar.gz`);
    if (!existsSync(tarball)) execFileSync("tar", ["czf", tarball, "-C", stage, "rg"]);
  }
  rmSync(stage, { recursive: true, force: true });
}

/** Installs when needed; returns the seconds it took (0 when already installed). */
export function installCodeServer(): number {
  if (isInstalled()) return 0;
  const cache = cacheDir();
  if (existsSync(join(cache, "node_modules", "code-server", "out", "node", "entry.js"))) {
    linkNodeModules(cache);
    if (isInstalled()) return 0;
  }
  const started = Date.now();
  seedRipgrepCache();
  // Install into a staging folder beside the cache and rename it into place when complete, so an
  // interrupted install never leaves a half-filled cache behind.
  mkdirSync(dirname(cache), { recursive: true });
  const staging = mkdtempSync(`${cache}.staging-`);
  for (const name of manifests) copyFileSync(join(here, name), join(staging, name));
  const env = { ...process.env, npm_config_unsafe_perm: "true", npm_config_yes: "true", npm_config_audit: "false", npm_config_fund: "false" };
  execFileSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: staging, env, stdio: ["ignore", "inherit", "inherit"] });
  rmSync(cache, { recursive: true, force: true });
  renameSync(staging, cache);
  linkNodeModules(cache);
  if (!isInstalled()) throw new Error(`Cannot install code-server: ${marker} is missing after npm install`);
  return (Date.now() - started) / 1000;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = installCodeServer();
  const { version } = JSON.parse(readFileSync(join(codeServer, "package.json"), "utf8")) as { version: string };
  process.stdout.write(seconds === 0 ? `code-server ${version} already installed\n` : `installed code-server ${version} in ${seconds.toFixed(0)} s\n`);
}
