/** Loads the TypeScript compiler once, on first use (it costs ~0.4 s, so the kernel starts without it). */
import type * as TypeScriptApi from "typescript";

/** The TypeScript compiler API namespace. */
export type TypeScript = typeof TypeScriptApi;

let loading: Promise<TypeScript> | undefined;

/** The `typescript` module, imported lazily and shared. */
export function loadTypeScript(): Promise<TypeScript> {
  loading ??= import("typescript").then((module) => (module as unknown as { default: TypeScript }).default);
  return loading;
}
