/**
 * Loads what cells import. Specifiers resolve from the notebook's folder (its node_modules, then
 * the parents'), following package.json "exports" with the `import` condition, so ESM-only
 * packages load natively and CommonJS ones through Node's ESM interop. `"trainset"` is this very
 * package; anything not found from the notebook falls back to the kernel's own dependencies.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { TrainsetError } from "../util/errors.js";

/** The functions a transformed cell calls through the kernel global. */
export interface CellModuleLoader {
  /** `import("x")` from a cell. */
  import(specifier: string): Promise<unknown>;
  /** The default import of a namespace (module.exports for CommonJS). */
  defaultExport(namespace: unknown): unknown;
  /** A named import; CommonJS names the lexer missed are read from the default export. */
  namedExport(namespace: unknown, name: string): unknown;
}

/** Options for {@link createModuleLoader}. */
export interface ModuleLoaderOptions {
  /** Folder of the notebook (relative specifiers and node_modules are resolved from it). */
  notebookDir: string;
  /** File loaded for `"trainset"`. */
  selfEntry: string;
  /** Imports a URL or builtin from the kernel's own module (so its loader hooks apply). */
  importUrl(url: string): Promise<unknown>;
}

const CONDITIONS = ["import", "node", "module-sync", "default"];
const EXTENSIONS = ["", ".ts", ".mts", ".js", ".mjs", ".cjs", ".json", "/index.ts", "/index.js", "/index.mjs"];

/**
 * Creates the loader cells use for `import` and `import()`.
 * @example
 * const loader = createModuleLoader({ notebookDir, selfEntry, importUrl: (u) => import(u) });
 * const ns = await loader.import("esm-only-pkg");
 */
export function createModuleLoader(options: ModuleLoaderOptions): CellModuleLoader {
  return {
    async import(specifier) {
      return options.importUrl(resolveSpecifier(specifier, options));
    },
    defaultExport(namespace) {
      if (typeof namespace === "object" && namespace !== null && "default" in namespace) return (namespace as { default: unknown }).default;
      return namespace;
    },
    namedExport(namespace, name) {
      if (typeof namespace !== "object" || namespace === null) return undefined;
      if (name in namespace) return (namespace as Record<string, unknown>)[name];
      const fallback = (namespace as { default?: unknown }).default;
      if ((typeof fallback === "object" && fallback !== null) || typeof fallback === "function") return (fallback as Record<string, unknown>)[name];
      return undefined;
    },
  };
}

/** Resolves a cell's import specifier to a URL (or a builtin name) that `import()` accepts. */
export function resolveSpecifier(specifier: string, options: Pick<ModuleLoaderOptions, "notebookDir" | "selfEntry">): string {
  if (specifier === "trainset") return pathToFileURL(options.selfEntry).href;
  if (specifier.startsWith("node:") || isBuiltin(specifier)) return specifier;
  if (specifier.startsWith("file:") || specifier.startsWith("data:")) return specifier;
  if (specifier.startsWith(".") || isAbsolute(specifier)) {
    const base = resolve(options.notebookDir, specifier);
    const file = EXTENSIONS.map((ext) => base + ext).find(isFile);
    if (file === undefined) throw notFound(specifier, `no file "${base}"`);
    return pathToFileURL(file).href;
  }
  const { name, subpath } = splitPackageSpecifier(specifier);
  for (const dir of ancestors(options.notebookDir)) {
    const packageDir = join(dir, "node_modules", name);
    const manifest = join(packageDir, "package.json");
    if (!existsSync(manifest)) continue;
    return pathToFileURL(resolvePackageEntry(packageDir, manifest, subpath, specifier)).href;
  }
  // Not installed next to the notebook: let Node resolve it from the kernel's own dependencies.
  return specifier;
}

function splitPackageSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split("/");
  const count = specifier.startsWith("@") ? 2 : 1;
  return { name: parts.slice(0, count).join("/"), subpath: parts.length > count ? `./${parts.slice(count).join("/")}` : "." };
}

function ancestors(dir: string): string[] {
  const out: string[] = [];
  let current = resolve(dir);
  for (;;) {
    out.push(current);
    const parent = dirname(current);
    if (parent === current) return out;
    current = parent;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function resolvePackageEntry(packageDir: string, manifestPath: string, subpath: string, specifier: string): string {
  let manifest: { exports?: unknown; main?: unknown };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { exports?: unknown; main?: unknown };
  } catch (error) {
    throw new TrainsetError("PARSE_ERROR", `Cannot import "${specifier}": "${manifestPath}" is not valid JSON`, { file: manifestPath, cause: error });
  }
  if (manifest.exports !== undefined && manifest.exports !== null) {
    const target = resolveExports(manifest.exports, subpath);
    if (target === undefined) throw notFound(specifier, `"${manifestPath}" exports no "${subpath}" for import`);
    return join(packageDir, target);
  }
  const relative = subpath === "." ? (typeof manifest.main === "string" ? manifest.main : "index.js") : subpath;
  const base = join(packageDir, relative);
  const file = EXTENSIONS.map((ext) => base + ext).find(isFile);
  if (file === undefined) throw notFound(specifier, `no file "${base}"`);
  return file;
}

/** Resolves package.json "exports" for a subpath with the ESM conditions (Node's algorithm, simplified). */
export function resolveExports(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap = typeof exports === "object" && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith("."));
  const map = (isSubpathMap ? exports : { ".": exports }) as Record<string, unknown>;
  if (subpath in map) return resolveTarget(map[subpath], undefined);
  let best: { key: string; star: string } | undefined;
  for (const key of Object.keys(map)) {
    const starAt = key.indexOf("*");
    if (starAt < 0) continue;
    const prefix = key.slice(0, starAt);
    const suffix = key.slice(starAt + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      if (best === undefined || prefix.length > best.key.indexOf("*")) best = { key, star: subpath.slice(prefix.length, subpath.length - suffix.length) };
    }
  }
  return best === undefined ? undefined : resolveTarget(map[best.key], best.star);
}

function resolveTarget(target: unknown, star: string | undefined): string | undefined {
  if (typeof target === "string") return star === undefined ? target : target.replaceAll("*", star);
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = resolveTarget(item, star);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof target === "object" && target !== null) {
    for (const [condition, value] of Object.entries(target)) {
      if (!CONDITIONS.includes(condition)) continue;
      const found = resolveTarget(value, star);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function notFound(specifier: string, what: string): TrainsetError {
  return new TrainsetError("NOT_FOUND", `Cannot import "${specifier}": ${what}`);
}
