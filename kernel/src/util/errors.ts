/** Every failure trainset reports on purpose is a TrainsetError with a machine-readable code. */

/** What went wrong, as a stable machine-readable string. */
export type TrainsetErrorCode =
  | "PARSE_ERROR"
  | "VALIDATION_ERROR"
  | "IO_ERROR"
  | "NOT_FOUND"
  | "UNSUPPORTED_FORMAT"
  | "DATA_SAFETY"
  | "ABORTED"
  | "DEPENDENCY_MISSING"
  | "CONFLICT"
  | "EXTERNAL_TOOL_FAILED"
  | "DATABASE_ERROR";

/** Where in the user's input the problem is; every field optional. */
export interface ErrorLocation {
  /** Path of the file as the user gave it. */
  file?: string;
  /** 1-based line number for line-oriented formats (JSONL, CSV). */
  line?: number;
  /** Field path inside the record, e.g. `annotations[17].bbox`. */
  field?: string;
}

/** Options for {@link TrainsetError}. */
export interface TrainsetErrorOptions extends ErrorLocation {
  cause?: unknown;
}

/**
 * The one error class of the library. Messages follow
 * `Cannot <action> <object>: <what is wrong>`.
 * @example
 * throw new TrainsetError("PARSE_ERROR", 'Cannot read JSONL "a.jsonl": line 3 is not JSON', { file: "a.jsonl", line: 3 });
 */
export class TrainsetError extends Error {
  readonly code: TrainsetErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(code: TrainsetErrorCode, message: string, options: TrainsetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TrainsetError";
    this.code = code;
    this.file = options.file;
    this.line = options.line;
    this.field = options.field;
  }
}

/** True when `error` is a TrainsetError, optionally with the given code. */
export function isTrainsetError(error: unknown, code?: TrainsetErrorCode): error is TrainsetError {
  return error instanceof TrainsetError && (code === undefined || error.code === code);
}

/** The message of any thrown value, for places that must print something. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The `code` of a Node system error (`ENOENT`, `EACCES`…), if any. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/** Wraps a failed file operation into an IO_ERROR (or NOT_FOUND) with a readable reason. */
export function ioError(action: string, file: string, cause: unknown): TrainsetError {
  const sys = systemErrorCode(cause);
  const reason =
    sys === "ENOENT"
      ? "no such file or directory"
      : sys === "EACCES" || sys === "EPERM"
        ? "permission denied"
        : sys === "EISDIR"
          ? "it is a directory"
          : sys === "ENOTDIR"
            ? "a parent is not a directory"
            : sys === "ENOSPC"
              ? "no space left on device"
              : errorMessage(cause);
  return new TrainsetError(sys === "ENOENT" ? "NOT_FOUND" : "IO_ERROR", `Cannot ${action} "${file}": ${reason}`, {
    file,
    cause,
  });
}
