/**
 * Runs TypeScript cells: type-check against the notebook's history, transform, run in the kernel's
 * global scope with `vm.Script` (breakOnSigint stops synchronous loops), and race the cell's
 * promise against the interrupt so a pending `await` stops too. State survives both.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import { createModuleLoader, type CellModuleLoader } from "./module-loader.js";
import { KERNEL_GLOBAL, transformCell } from "./cell-transform.js";
import { describeError, type CellError } from "./cell-result.js";
import { kernelPaths } from "./kernel-paths.js";
import { CellTypeChecker, type CellCompletions, type CellDiagnostic } from "./type-checker.js";
import { loadTypeScript } from "./typescript-module.js";

/** What running a cell gave. */
export type CellOutcome = { status: "ok"; value: unknown; hasResult: boolean } | ({ status: "error"; kind: "type" | "runtime" | "interrupt" } & CellError);

/** Options for {@link CellExecutor}. */
export interface CellExecutorOptions {
  /** The notebook's folder (imports, tsconfig.json). */
  notebookDir: string;
  /** Type-check cells before running them (default true). */
  typeCheck?: boolean;
}

/** The `ename` of an interrupted cell (the name Jupyter tools already know). */
export const INTERRUPT_ENAME = "KeyboardInterrupt";

/**
 * Compiles and runs cells; one per kernel.
 * @example
 * const executor = new CellExecutor({ notebookDir: process.cwd() });
 * const outcome = await executor.execute("const x = 1; x + 1", new AbortController());
 */
export class CellExecutor {
  private readonly options: CellExecutorOptions;
  private readonly loader: CellModuleLoader;
  private readonly hiddenPaths: string[];
  private checker: CellTypeChecker | undefined;
  private cellNumber = 0;

  constructor(options: CellExecutorOptions) {
    this.options = options;
    const paths = kernelPaths();
    this.loader = createModuleLoader({ notebookDir: options.notebookDir, selfEntry: paths.runtimeEntry, importUrl: (url) => import(url) });
    this.hiddenPaths = [dirname(fileURLToPath(import.meta.url)), "node_modules/tsx/"];
    (globalThis as Record<string, unknown>)[KERNEL_GLOBAL] = this.loader;
  }

  /** Loads TypeScript and the type checker's libraries ahead of the first cell. */
  async warmUp(): Promise<void> {
    const checker = await this.typeChecker();
    checker?.warmUp(true);
    transformCell(await loadTypeScript(), "1");
  }

  /** Type-checks and runs one cell; `controller` aborts on interrupt (the kernel or SIGINT may fire it). */
  async execute(code: string, controller: AbortController): Promise<CellOutcome> {
    const ts = await loadTypeScript();
    const checker = await this.typeChecker();
    if (checker !== undefined) {
      const diagnostics = checker.check(code);
      if (diagnostics.length > 0) return { status: "error", kind: "type", ...typeError(diagnostics) };
    }
    const transformed = transformCell(ts, code);
    this.cellNumber += 1;
    const script = new Script(transformed.script, { filename: `cell[${this.cellNumber}]` });
    checker?.commit(code);
    let running: Promise<unknown>;
    try {
      running = script.runInThisContext({ breakOnSigint: true, displayErrors: false }) as Promise<unknown>;
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") {
        controller.abort(new Error("interrupted"));
        return interrupted();
      }
      return { status: "error", kind: "runtime", ...describeError(error, this.hiddenPaths) };
    }
    try {
      const value = await raceAbort(running, controller.signal);
      return { status: "ok", value, hasResult: transformed.hasResult };
    } catch (error) {
      if (error === ABORTED) return interrupted();
      return { status: "error", kind: "runtime", ...describeError(unwrap(error), this.hiddenPaths) };
    }
  }

  /** Waits for `work` unless the cell is interrupted first (for outputs still rendering). */
  async settle(work: readonly Promise<unknown>[], controller: AbortController): Promise<CellOutcome | undefined> {
    try {
      await raceAbort(Promise.all(work), controller.signal);
      return undefined;
    } catch (error) {
      if (error === ABORTED) return interrupted();
      return { status: "error", kind: "runtime", ...describeError(unwrap(error), this.hiddenPaths) };
    }
  }

  /** Completions for a `complete_request` (positions are UTF-16 offsets). */
  async complete(code: string, position: number): Promise<CellCompletions> {
    const checker = await this.typeChecker(true);
    return checker?.complete(code, position) ?? { matches: [], kinds: [], start: position, end: position };
  }

  /** Hover text for an `inspect_request`. */
  async inspect(code: string, position: number): Promise<{ signature: string; documentation: string } | undefined> {
    const checker = await this.typeChecker(true);
    return checker?.inspect(code, position);
  }

  private async typeChecker(always = false): Promise<CellTypeChecker | undefined> {
    if (this.options.typeCheck === false && !always) return undefined;
    if (this.checker === undefined) {
      const paths = kernelPaths();
      this.checker = new CellTypeChecker(await loadTypeScript(), { notebookDir: this.options.notebookDir, typesEntry: paths.typesEntry, typeRoots: paths.typeRoots });
    }
    return this.checker;
  }
}

/** Rejection used when the cell's controller aborts first. */
class CellAborted extends Error {}
const ABORTED = new CellAborted("interrupted");

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(ABORTED);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new CellThrew(error));
      },
    );
  });
}

/** Carries a thrown non-Error value (`throw "x"`) through promise rejection. */
class CellThrew extends Error {
  constructor(readonly value: unknown) {
    super("cell threw a non-Error value");
  }
}

function unwrap(error: unknown): unknown {
  return error instanceof CellThrew ? error.value : error;
}

function interrupted(): CellOutcome {
  return { status: "error", kind: "interrupt", ename: INTERRUPT_ENAME, evalue: "the cell was interrupted; variables defined so far are kept", traceback: [`${INTERRUPT_ENAME}: the cell was interrupted; variables defined so far are kept`] };
}

function typeError(diagnostics: readonly CellDiagnostic[]): CellError {
  const first = diagnostics[0];
  const evalue = first === undefined ? "" : `${first.message} (line ${first.line}, column ${first.column})`;
  const traceback: string[] = [];
  for (const d of diagnostics) {
    traceback.push(`\u001b[31mLine ${d.line}, column ${d.column}: error TS${d.code}\u001b[0m: ${d.message}`);
    traceback.push(`  ${d.sourceLine}`);
    traceback.push(`  ${" ".repeat(Math.max(0, d.column - 1))}^`);
  }
  return { ename: "TSError", evalue, traceback };
}
