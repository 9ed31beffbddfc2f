/** Why a bundle cannot be opened, as a stable word the CLI prints and `--json` reports. */
import { TrainsetError } from "../util/errors.js";

/**
 * `wrong-key`, `truncated`, `tampered` (authentication failed), `mismatch` (a file differs from the
 * manifest), `unsafe-entry` (a tar entry that would escape the folder), `not-age`, `not-bundle`.
 */
export type BundleFailure = "wrong-key" | "truncated" | "tampered" | "mismatch" | "unsafe-entry" | "not-age" | "not-bundle";

/**
 * A bundle that fails to open; `reason` says which check failed.
 * @example throw new BundleError("truncated", "the bundle ends before age's final chunk", "b.tar.age");
 */
export class BundleError extends TrainsetError {
  readonly reason: BundleFailure;
  /** The message without its `Cannot open bundle` prefix. */
  readonly detail: string;

  constructor(reason: BundleFailure, detail: string, file?: string) {
    super("DATA_SAFETY", `Cannot open bundle${file === undefined ? "" : ` "${file}"`} (${reason}): ${detail}`, file === undefined ? { field: reason } : { file, field: reason });
    this.name = "BundleError";
    this.reason = reason;
    this.detail = detail;
  }
}
