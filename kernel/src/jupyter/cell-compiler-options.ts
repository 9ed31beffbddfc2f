/**
 * The compiler options of a notebook's cells: the notebook's tsconfig.json (searched upward from its
 * folder) or defaults, adjusted so cells are ES modules checked without emit.
 * Spec: https://www.typescriptlang.org/tsconfig
 */
import { dirname } from "node:path";
import type * as ts from "typescript";
import type { CellTypeCheckerOptions } from "./type-checker.js";
import type { TypeScript } from "./typescript-module.js";

/** The notebook's tsconfig.json (searched upward), adjusted so cells are ES modules checked without emit. */
export function readCompilerOptions(typescript: TypeScript, options: CellTypeCheckerOptions): ts.CompilerOptions {
  const sys = typescript.sys;
  const configFile = typescript.findConfigFile(options.notebookDir, (f) => sys.fileExists(f));
  let json: Record<string, unknown> = { compilerOptions: { strict: true, esModuleInterop: true, skipLibCheck: true, lib: ["es2023"] } };
  let base = options.notebookDir;
  if (configFile !== undefined) {
    const read = typescript.readConfigFile(configFile, (f) => sys.readFile(f));
    if (read.config !== undefined) {
      json = read.config as Record<string, unknown>;
      base = dirname(configFile);
    }
  }
  // Only the compiler options matter: the cells are the files.
  const parsed = typescript.parseJsonConfigFileContent({ compilerOptions: json.compilerOptions ?? {}, files: [] }, sys, base, undefined, configFile);
  const user = parsed.options;
  const compilerOptions: ts.CompilerOptions = {
    ...user,
    module: typescript.ModuleKind.NodeNext,
    moduleResolution: typescript.ModuleResolutionKind.NodeNext,
    target: Math.max(user.target ?? 0, typescript.ScriptTarget.ES2022),
    noEmit: true,
    isolatedModules: false,
    verbatimModuleSyntax: false,
    declaration: false,
    composite: false,
    incremental: false,
    allowImportingTsExtensions: true,
    skipLibCheck: user.skipLibCheck ?? true,
    esModuleInterop: user.esModuleInterop ?? true,
  };
  const typeRoots = [...(user.typeRoots ?? []), ...options.typeRoots];
  if (typeRoots.length > 0) compilerOptions.typeRoots = typeRoots;
  if (user.types === undefined) compilerOptions.types = options.typeRoots.length > 0 ? ["node"] : [];
  if (options.typeRoots.length === 0 && user.lib === undefined) compilerOptions.lib = ["lib.es2023.d.ts", "lib.dom.d.ts"];
  return compilerOptions;
}
