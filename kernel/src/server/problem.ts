/**
 * RFC 9457 problem details: every error the server answers is one of these, with the seed's
 * `title`, `status`, `detail` and a `correlationId` that the structured log line carries too.
 * https://www.rfc-editor.org/rfc/rfc9457
 */
import { isTrainsetError, type TrainsetErrorCode } from "../util/errors.js";

/** Media type of a problem details body. */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** The body of every error response. */
export interface ProblemDetails {
  /** A URI naming the problem type; `about:blank` when the status says it all. */
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request id; the same value is the `correlationId` of the log line. */
  correlationId: string;
  /** The request path. */
  instance: string;
  /** Extension members (e.g. preflight `errors`, `warnings`, `recommendations`, `field`). */
  [extension: string]: unknown;
}

/** An error a route throws on purpose, answered as problem details with its status. */
export class HttpProblem extends Error {
  readonly statusCode: number;
  readonly title: string;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(status: number, title: string, detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.name = "HttpProblem";
    this.statusCode = status;
    this.title = title;
    this.extensions = extensions;
  }
}

/** The status and title a library error code maps to. */
const CODE_STATUS: Partial<Record<TrainsetErrorCode, [number, string]>> = {
  PARSE_ERROR: [400, "Invalid Request"],
  VALIDATION_ERROR: [400, "Invalid Request"],
  DATA_SAFETY: [400, "Refused By Data-Safety Rules"],
  UNSUPPORTED_FORMAT: [400, "Unsupported Format"],
  NOT_FOUND: [404, "Not Found"],
  CONFLICT: [409, "Conflict"],
  ABORTED: [409, "Cancelled"],
  IO_ERROR: [500, "Storage Error"],
  DEPENDENCY_MISSING: [503, "Dependency Missing"],
  EXTERNAL_TOOL_FAILED: [500, "External Tool Failed"],
};

/** Titles of the statuses Fastify and its plugins produce themselves. */
const STATUS_TITLE: Record<number, string> = {
  400: "Invalid Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Where a problem happened, filled in by the error handler. */
export interface ProblemContext {
  correlationId: string;
  instance: string;
}

function shape(status: number, title: string, detail: string, ctx: ProblemContext, extensions: Record<string, unknown> = {}): ProblemDetails {
  return { type: "about:blank", title, status, detail, ...extensions, correlationId: ctx.correlationId, instance: ctx.instance };
}

/**
 * Turns anything thrown while serving a request into problem details. Internal errors (500) keep
 * their message out of the body; the log has it.
 * @example toProblem(new HttpProblem(404, "Job Not Found", "Training job x does not exist"), ctx).status // 404
 */
export function toProblem(error: unknown, ctx: ProblemContext): ProblemDetails {
  if (error instanceof HttpProblem) return shape(error.statusCode, error.title, error.message, ctx, { ...error.extensions });
  if (isTrainsetError(error)) {
    const [status, title] = CODE_STATUS[error.code] ?? [500, "Internal Server Error"];
    const extensions: Record<string, unknown> = { code: error.code };
    if (error.field !== undefined) extensions["field"] = error.field;
    const detail = status >= 500 ? "The server could not complete the request; see its log for this correlationId" : error.message;
    return shape(status, title, detail, ctx, extensions);
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  const status = typeof statusCode === "number" && statusCode >= 400 && statusCode < 600 ? statusCode : 500;
  const message = error instanceof Error ? error.message : String(error);
  const detail = status >= 500 ? "The server could not complete the request; see its log for this correlationId" : message;
  return shape(status, STATUS_TITLE[status] ?? "Error", detail, ctx);
}
