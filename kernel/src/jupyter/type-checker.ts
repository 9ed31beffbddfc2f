/**
 * Type-checks cells with the TypeScript language service over the notebook's history. Each
 * executed cell becomes a virtual module `__cellN.mts` that exports its top-level names; the
 * next cell imports the latest definition of every name it does not redeclare, so types flow
 * from cell to cell and a re-run cell may redeclare what it defined before.
 */
import { dirname, join } from "node:path";
import type * as ts from "typescript";
import { ambientNames, cellWords, mentionsAmbient, type CellWords } from "./ambient-names.js";
import { readCompilerOptions } from "./cell-compiler-options.js";
import type { TypeScript } from "./typescript-module.js";

/** One problem found in a cell, located in the cell's own coordinates (1-based). */
export interface CellDiagnostic {
  line: number;
  column: number;
  code: number;
  message: string;
  /** The text of the offending line, for the traceback. */
  sourceLine: string;
}

/** Completions at a cursor (offsets are UTF-16 indices into the cell). */
export interface CellCompletions {
  matches: string[];
  start: number;
  end: number;
  kinds: string[];
}

/** Options for {@link CellTypeChecker}. */
export interface CellTypeCheckerOptions {
  /** The notebook's folder: relative imports, node_modules and tsconfig.json are looked up from it. */
  notebookDir: string;
  /** The file that `"trainset"` resolves to for types. */
  typesEntry: string;
  /** Folders holding `@types/*` packages (for `@types/node`). */
  typeRoots: readonly string[];
}

// Diagnostics that make no sense for notebook cells.
const IGNORED_CODES = new Set([
  7016, // Could not find a declaration file for module: the import is `any`, as in JavaScript.
  1375, // 'await' at top level (cells always allow it)
  1378,
]);
const ASSIGN_TO_IMPORT = 2632; // "Cannot assign to 'x' because it is an import."

interface CommittedCell {
  index: number;
  names: Set<string>;
}

/** A smaller program for standalone cells and the global names it lacks (undefined: not computed yet; null: not a subset of the full program, so never used). */
interface ReducedTier {
  service: ts.LanguageService;
  ambient: Set<string> | null | undefined;
}

/** The top-level names a cell defines, and which of them may be reassigned later. */
export interface CellNames {
  all: Set<string>;
  mutable: Set<string>;
}

/**
 * A language service over the cells executed so far.
 * @example
 * const checker = new CellTypeChecker(ts, { notebookDir, typesEntry, typeRoots: [] });
 * checker.check("const n: number = 'x'"); // [{ line: 1, message: "Type 'string' is not assignable…" }]
 */
export class CellTypeChecker {
  private readonly ts: TypeScript;
  private readonly options: CellTypeCheckerOptions;
  private readonly compilerOptions: ts.CompilerOptions;
  private readonly service: ts.LanguageService;
  /** Checks cells that stand alone (no imports, no names from earlier cells): a program without the library. */
  private readonly standaloneService: ts.LanguageService;
  /**
   * Smaller standalone programs, smallest first: ES5's declarations alone, then the standard
   * library without the automatic type packages (`types: []`). A standalone cell that names
   * nothing a tier leaves out is checked there first (see {@link check}).
   */
  private readonly tiers: ReducedTier[];
  private readonly files = new Map<string, { text: string; version: number }>();
  private readonly diskSnapshots = new Map<string, ts.IScriptSnapshot | undefined>();
  private readonly committed: CommittedCell[] = [];
  private readonly mutableNames = new Set<string>();
  private readonly moduleCache: ts.ModuleResolutionCache;
  private readonly documentRegistry: ts.DocumentRegistry;
  private nextIndex = 1;
  private projectVersion = 0;
  private standaloneVersion = 0;
  private keepLibrary = false;

  constructor(typescript: TypeScript, options: CellTypeCheckerOptions) {
    this.ts = typescript;
    this.options = options;
    this.compilerOptions = readCompilerOptions(typescript, options);
    this.moduleCache = typescript.createModuleResolutionCache(options.notebookDir, (f) => f, this.compilerOptions);
    this.documentRegistry = typescript.createDocumentRegistry();
    this.service = this.createService(() => (this.keepLibrary ? [this.pendingFile(), options.typesEntry] : [this.pendingFile()]), () => this.projectVersion);
    this.standaloneService = this.createService(() => [this.standaloneFile()], () => this.standaloneVersion);
    const tierSettings: ts.CompilerOptions[] = [];
    if (this.compilerOptions.noLib !== true) {
      tierSettings.push({ ...this.compilerOptions, lib: ["lib.es5.d.ts"], types: [] });
      if ((this.compilerOptions.types ?? []).length > 0) tierSettings.push({ ...this.compilerOptions, types: [] });
    }
    this.tiers = tierSettings.map((settings) => ({ service: this.createService(() => [this.standaloneFile()], () => this.standaloneVersion, settings), ambient: undefined }));
  }

  /**
   * A language service over the virtual cell files. Both services share the files and the module
   * resolution cache; they differ only in their root files.
   */
  private createService(rootFiles: () => string[], version: () => number, settings = this.compilerOptions): ts.LanguageService {
    const typescript = this.ts;
    const options = this.options;
    const sys = typescript.sys;
    // The last two members are read by the language service though not in its public type: they let
    // a new program reuse package.json lookups and resolutions instead of redoing them per cell.
    const host: ts.LanguageServiceHost & { getModuleResolutionCache(): ts.ModuleResolutionCache; hasInvalidatedResolutions(): boolean } = {
      getCompilationSettings: () => settings,
      getProjectVersion: () => String(version()),
      getModuleResolutionCache: () => this.moduleCache,
      hasInvalidatedResolutions: () => false,
      getScriptFileNames: rootFiles,
      getScriptVersion: (file) => String(this.files.get(file)?.version ?? 0),
      getScriptSnapshot: (file) => {
        const virtual = this.files.get(file);
        if (virtual !== undefined) return typescript.ScriptSnapshot.fromString(virtual.text);
        if (!this.diskSnapshots.has(file)) {
          const text = sys.readFile(file);
          this.diskSnapshots.set(file, text === undefined ? undefined : typescript.ScriptSnapshot.fromString(text));
        }
        return this.diskSnapshots.get(file);
      },
      getCurrentDirectory: () => options.notebookDir,
      getDefaultLibFileName: (o) => typescript.getDefaultLibFilePath(o),
      fileExists: (file) => this.files.has(file) || sys.fileExists(file),
      readFile: (file) => this.files.get(file)?.text ?? sys.readFile(file),
      directoryExists: (dir) => sys.directoryExists(dir),
      getDirectories: (dir) => sys.getDirectories(dir),
      realpath: (path) => (sys.realpath === undefined ? path : sys.realpath(path)),
      useCaseSensitiveFileNames: () => sys.useCaseSensitiveFileNames,
      resolveModuleNameLiterals: (literals, containingFile, redirected, compilerOptions, containingSourceFile) =>
        literals.map((literal) => ({ resolvedModule: this.resolveModule(literal, containingFile, redirected, compilerOptions, containingSourceFile) })),
    };
    return typescript.createLanguageService(host, this.documentRegistry);
  }

  /**
   * Loads the libraries' types ahead of the first cell; with `library`, trainset's own types stay
   * in every program from now on, so the first `import … from "trainset"` cell does not pay for them.
   */
  warmUp(library: boolean): void {
    if (library && !this.keepLibrary) {
      this.keepLibrary = true;
      this.projectVersion += 1;
    }
    // Both programs: the one with the library and history, and the one for standalone cells.
    const { file } = this.setPending("");
    this.service.getSemanticDiagnostics(file);
    this.standaloneService.getSemanticDiagnostics(this.setStandalone("").file);
    this.prepareTiers();
  }

  /** Type-checks a cell against the history; returns its errors (empty when it may run). */
  check(code: string): CellDiagnostic[] {
    // A cell that imports nothing and names nothing from earlier cells cannot depend on them or on
    // the library, so it is checked in a program of the standard and @types/node declarations only:
    // a new program per changed cell then costs ~160 files instead of ~1,000 (issue 4's trivial cell).
    const words = this.standsAlone(code);
    if (words === undefined) {
      const { file, offset } = this.setPending(code);
      return this.diagnose(this.service, file, offset, code);
    }
    const { file, offset } = this.setStandalone(code);
    // One that names nothing @types/node declares needs only the standard library (~60 files, half
    // the cost), and one that names nothing ES2015+ adds only ES5's (1 file, a sixth). Only a
    // clean result is taken from a smaller program: a cell with errors is checked in the full one,
    // so errors read exactly as before (a misspelt `proces` still suggests `process`).
    for (const tier of this.prepareTiers()) {
      if (tier.ambient === undefined || tier.ambient === null || mentionsAmbient(words, tier.ambient)) continue;
      const quick = this.diagnose(tier.service, file, offset, code);
      // A missing global type (`Cannot find global type 'IterableIterator'`) is a global diagnostic.
      if (quick.length === 0 && tier.service.getProgram()?.getGlobalDiagnostics().length === 0) return quick;
    }
    return this.diagnose(this.standaloneService, file, offset, code);
  }

  /** The errors `service` finds in the cell at `offset` of `file`, in the cell's coordinates. */
  private diagnose(service: ts.LanguageService, file: string, offset: number, code: string): CellDiagnostic[] {
    const diagnostics = [...service.getSyntacticDiagnostics(file), ...service.getSemanticDiagnostics(file)];
    const source = service.getProgram()?.getSourceFile(file);
    const codeLines = code.split("\n");
    const out: CellDiagnostic[] = [];
    for (const diagnostic of diagnostics) {
      if (diagnostic.category !== this.ts.DiagnosticCategory.Error || IGNORED_CODES.has(diagnostic.code)) continue;
      const start = diagnostic.start ?? offset;
      if (start < offset || start > offset + code.length) continue; // header or trailer
      let message = this.ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      if (diagnostic.code === ASSIGN_TO_IMPORT) {
        const name = /'([^']+)'/.exec(message)?.[1];
        if (name !== undefined && this.mutableNames.has(name)) continue;
        if (name !== undefined) message = `Cannot assign to '${name}' because it is a constant.`;
      }
      const position = source === undefined ? { line: 1, character: 0 } : this.ts.getLineAndCharacterOfPosition(source, start);
      const line = position.line; // the header takes line 0, so this is the 1-based cell line
      out.push({ line, column: position.character + 1, code: diagnostic.code, message, sourceLine: codeLines[line - 1] ?? "" });
    }
    return out;
  }

  /** The smaller programs, with what each leaves out of the full standalone program (computed once). */
  private prepareTiers(): readonly ReducedTier[] {
    if (this.tiers.length === 0 || this.tiers.every((tier) => tier.ambient !== undefined)) return this.tiers;
    if (!this.files.has(this.standaloneFile())) this.setStandalone("");
    const full = this.standaloneService.getProgram();
    for (const tier of this.tiers) {
      const base = tier.service.getProgram();
      if (full !== undefined && base !== undefined) tier.ambient = ambientNames(this.ts, full, base) ?? null;
    }
    return this.tiers;
  }

  /** Records an executed cell, so later cells see its declarations. */
  commit(code: string): void {
    const names = this.cellNames(code);
    const file = this.cellFile(this.nextIndex);
    // Re-write the committed file with an export list of everything it defines.
    const { text } = this.render(code, this.nextIndex, names.all);
    this.files.set(file, { text, version: (this.files.get(file)?.version ?? 0) + 1 });
    this.projectVersion += 1;
    for (const name of names.all) this.mutableNames.delete(name);
    for (const name of names.mutable) this.mutableNames.add(name);
    this.committed.push({ index: this.nextIndex, names: names.all });
    this.nextIndex += 1;
  }

  /** Completions at `position` (a UTF-16 offset into `code`). */
  complete(code: string, position: number): CellCompletions {
    const { file, offset } = this.setPending(code);
    let start = position;
    while (start > 0 && /[\w$]/.test(code.charAt(start - 1))) start -= 1;
    const prefix = code.slice(start, position);
    const info = this.service.getCompletionsAtPosition(file, offset + position, { includeCompletionsForModuleExports: false });
    const entries = (info?.entries ?? [])
      .filter((entry) => entry.name.startsWith(prefix) && !/^__cell\d*$/.test(entry.name))
      .sort((a, b) => (a.sortText === b.sortText ? a.name.localeCompare(b.name) : a.sortText < b.sortText ? -1 : 1));
    return { matches: entries.map((e) => e.name), kinds: entries.map((e) => e.kind), start, end: position };
  }

  /** Type and documentation of the symbol at `position`, as Markdown-ready parts. */
  inspect(code: string, position: number): { signature: string; documentation: string } | undefined {
    const { file, offset } = this.setPending(code);
    const service = this.service;
    const info = service.getQuickInfoAtPosition(file, offset + position) ?? (position > 0 ? service.getQuickInfoAtPosition(file, offset + position - 1) : undefined);
    if (info === undefined) return undefined;
    const ts = this.ts;
    const tags = (info.tags ?? []).map((tag) => `@${tag.name}${tag.text === undefined ? "" : " " + ts.displayPartsToString(tag.text)}`);
    const documentation = [ts.displayPartsToString(info.documentation), ...tags].filter((part) => part !== "").join("\n\n");
    return { signature: ts.displayPartsToString(info.displayParts), documentation };
  }

  /** The cell being checked or completed; a stable name, so the program is reused between cells. */
  private pendingFile(): string {
    return join(this.options.notebookDir, "__cell.mts");
  }

  private standaloneFile(): string {
    return join(this.options.notebookDir, "__cell_standalone.mts");
  }

  private setStandalone(code: string): { file: string; offset: number } {
    const file = this.standaloneFile();
    const header = "export {};\n";
    const text = header + code;
    const previous = this.files.get(file);
    if (previous?.text !== text) {
      this.files.set(file, { text, version: (previous?.version ?? 0) + 1 });
      this.standaloneVersion += 1;
    }
    return { file, offset: header.length };
  }

  /**
   * The cell's words when it has no import of any kind and no identifier that an earlier cell
   * defines; undefined when it may depend on earlier cells or on modules.
   */
  private standsAlone(code: string): CellWords | undefined {
    const ts = this.ts;
    if (/\bimport\b|\brequire\b|\/\/\/\s*<reference/.test(code)) return undefined;
    const words = cellWords(ts, ts.createSourceFile("cell.mts", code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS));
    for (const cell of this.committed) for (const name of cell.names) if (words.identifiers.has(name)) return undefined;
    return words;
  }

  private cellFile(index: number): string {
    return join(this.options.notebookDir, `__cell${index}.mts`);
  }

  private setPending(code: string): { file: string; offset: number } {
    const file = this.pendingFile();
    const { text, offset } = this.render(code, this.nextIndex, new Set());
    const previous = this.files.get(file);
    if (previous?.text !== text) {
      this.files.set(file, { text, version: (previous?.version ?? 0) + 1 });
      this.projectVersion += 1;
    }
    return { file, offset };
  }

  /** Header (one line of imports from earlier cells) + code + export list. */
  private render(code: string, index: number, exports: ReadonlySet<string>): { text: string; offset: number } {
    const own = this.cellNames(code).all;
    const latest = new Map<string, number>();
    for (const cell of this.committed) {
      if (cell.index >= index) continue;
      for (const name of cell.names) latest.set(name, cell.index);
    }
    const byCell = new Map<number, string[]>();
    for (const [name, cellIndex] of latest) {
      if (own.has(name)) continue;
      byCell.set(cellIndex, [...(byCell.get(cellIndex) ?? []), name]);
    }
    const header = [...byCell].map(([cellIndex, names]) => `import { ${names.join(", ")} } from "./__cell${cellIndex}.mjs";`).join(" ") + " export {};\n";
    const trailer = exports.size === 0 ? "" : `\nexport { ${[...exports].join(", ")} };\n`;
    return { text: header + code + trailer, offset: header.length };
  }

  private cellNames(code: string): CellNames {
    const ts = this.ts;
    const source = ts.createSourceFile("cell.mts", code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    const all = new Set<string>();
    const mutable = new Set<string>();
    const addBinding = (name: ts.BindingName, isMutable: boolean): void => {
      if (ts.isIdentifier(name)) {
        all.add(name.text);
        if (isMutable) mutable.add(name.text);
        return;
      }
      for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name, isMutable);
    };
    for (const statement of source.statements) {
      if (ts.isVariableStatement(statement)) {
        const isMutable = (statement.declarationList.flags & ts.NodeFlags.Const) === 0;
        for (const declaration of statement.declarationList.declarations) addBinding(declaration.name, isMutable);
      } else if (
        (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
        statement.name !== undefined
      ) {
        all.add(statement.name.text);
      } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) {
        all.add(statement.name.text);
      } else if (ts.isImportDeclaration(statement) && statement.importClause !== undefined) {
        const clause = statement.importClause;
        if (clause.name !== undefined) all.add(clause.name.text);
        const bindings = clause.namedBindings;
        if (bindings !== undefined && ts.isNamespaceImport(bindings)) all.add(bindings.name.text);
        else if (bindings !== undefined) for (const element of bindings.elements) all.add(element.name.text);
      } else if (ts.isImportEqualsDeclaration(statement)) {
        all.add(statement.name.text);
      }
    }
    return { all, mutable };
  }

  private resolveModule(literal: ts.StringLiteralLike, containingFile: string, redirected: ts.ResolvedProjectReference | undefined, compilerOptions: ts.CompilerOptions, containingSourceFile: ts.SourceFile): ts.ResolvedModuleFull | undefined {
    const ts = this.ts;
    const name = literal.text;
    const cell = /^\.\/__cell(\d+)\.mjs$/.exec(name);
    if (cell !== null) {
      return { resolvedFileName: join(dirname(containingFile), `__cell${cell[1]}.mts`), extension: ts.Extension.Mts, isExternalLibraryImport: false };
    }
    if (name === "trainset") {
      const entry = this.options.typesEntry;
      return { resolvedFileName: entry, extension: entry.endsWith(".d.ts") ? ts.Extension.Dts : ts.Extension.Ts, isExternalLibraryImport: false };
    }
    const mode = ts.getModeForUsageLocation(containingSourceFile, literal, compilerOptions);
    const sys = ts.sys;
    const host: ts.ModuleResolutionHost = {
      fileExists: (f) => this.files.has(f) || sys.fileExists(f),
      readFile: (f) => this.files.get(f)?.text ?? sys.readFile(f),
      realpath: (f) => (sys.realpath === undefined ? f : sys.realpath(f)),
      directoryExists: (d) => sys.directoryExists(d),
      getDirectories: (d) => sys.getDirectories(d),
    };
    const found = ts.resolveModuleName(name, containingFile, compilerOptions, host, this.moduleCache, redirected, mode).resolvedModule;
    if (found !== undefined || !containingFile.startsWith(this.options.notebookDir)) return found;
    // Packages the kernel itself depends on (arquero, vega-lite…) are importable from any notebook.
    const anchor = join(dirname(this.options.typesEntry), "__anchor.mts");
    return ts.resolveModuleName(name, anchor, compilerOptions, host, undefined, redirected, mode).resolvedModule;
  }
}
