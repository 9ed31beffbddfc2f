/**
 * The runs view's remote backend: lists and cancels the caller's jobs on a running `trainset serve`
 * (`GET /api/ml/train/jobs`, `POST /api/ml/train/{jobId}/cancel`) with a bearer token. Errors are
 * RFC 9457 problem details (https://www.rfc-editor.org/rfc/rfc9457); their `title`, `detail` and
 * `correlationId` go into the Error message, the token never does. Pure Node: no vscode.
 */
import type { RunView } from "../../../webviews/src/protocol/runs.js";

/** Options of the remote job calls. */
export interface RemoteJobsOptions {
  /** Give up after this many milliseconds (default 10000). */
  timeoutMs?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The server URL without trailing slashes; anything but http(s) is refused. */
function baseOf(baseUrl: string, action: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`Cannot ${action}: trainset.server.url "${baseUrl}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`Cannot ${action}: trainset.server.url "${baseUrl}" is not an http(s) URL`);
  if (url.username !== "" || url.password !== "") throw new TypeError(`Cannot ${action}: trainset.server.url must not carry credentials; use trainset.server.tokenFile`);
  return url.href.replace(/\/+$/, "");
}

/** Removes the token from a message, in case a server or proxy echoes it. */
function redact(text: string, token: string): string {
  return token === "" ? text : text.split(token).join("<token>");
}

/** One JSON call with the bearer token; problem details and transport errors become Errors. */
async function call(method: "GET" | "POST", url: string, token: string, action: string, options: RemoteJobsOptions): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, accept: "application/json" }, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error instanceof Error ? error.message : String(error);
    throw new Error(redact(`Cannot ${action} on ${url}: ${cause}`, token));
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const problem = isRecord(body) ? body : {};
    const title = typeof problem.title === "string" ? problem.title : res.statusText || "Error";
    const detail = typeof problem.detail === "string" ? `: ${problem.detail}` : "";
    const correlation = typeof problem.correlationId === "string" ? problem.correlationId : res.headers.get("x-correlation-id");
    const tail = correlation === null || correlation === "" ? "" : ` (correlationId ${correlation})`;
    throw new Error(redact(`Cannot ${action}: server answered ${res.status} ${title}${detail}${tail}`, token));
  }
  if (body === undefined) throw new Error(`Cannot ${action}: the server's answer is not JSON`);
  return body;
}

/**
 * A server job status DTO (`jobId`, `kind`, `state`, `progress`, `metrics`...) as the run view the
 * tree shows for CLI jobs; undefined when it has no `jobId`.
 * @example remoteJobToRun({ jobId: "j1", kind: "frame-importance-train", state: "Queued", progress: 0 })?.status // "Queued"
 */
export function remoteJobToRun(dto: unknown): RunView | undefined {
  if (!isRecord(dto) || typeof dto.jobId !== "string") return undefined;
  const metrics: Record<string, number> = {};
  if (isRecord(dto.metrics)) for (const [key, value] of Object.entries(dto.metrics)) if (typeof value === "number") metrics[key] = value;
  if (typeof dto.progress === "number") metrics.progress_percent = dto.progress;
  const params: Record<string, string> = { kind: typeof dto.kind === "string" ? dto.kind : "" };
  if (typeof dto.phase === "string" && dto.phase !== "") params.phase = dto.phase;
  return { id: dto.jobId, dir: dto.jobId, source: "job", status: typeof dto.state === "string" ? dto.state : "unknown", epochs: 0, params, metrics, history: [], perLabel: [] };
}

/**
 * The token's user's jobs on a `trainset serve` (newest first) as run views.
 * @example await listRemoteJobs("http://127.0.0.1:5005", token)
 */
export async function listRemoteJobs(baseUrl: string, token: string, options: RemoteJobsOptions = {}): Promise<RunView[]> {
  const action = "list jobs";
  const body = await call("GET", `${baseOf(baseUrl, action)}/api/ml/train/jobs`, token, action, options);
  const jobs = isRecord(body) && Array.isArray(body.jobs) ? body.jobs : [];
  return jobs.flatMap((job: unknown) => remoteJobToRun(job) ?? []);
}

/**
 * Cancels one of the token's user's jobs; answers its new run view (state `Cancelled`).
 * @example (await cancelRemoteJob("http://127.0.0.1:5005", token, jobId)).status // "Cancelled"
 */
export async function cancelRemoteJob(baseUrl: string, token: string, jobId: string, options: RemoteJobsOptions = {}): Promise<RunView> {
  const action = `cancel job ${jobId}`;
  const body = await call("POST", `${baseOf(baseUrl, action)}/api/ml/train/${encodeURIComponent(jobId)}/cancel`, token, action, options);
  const run = remoteJobToRun(body);
  if (run === undefined) throw new Error(`Cannot ${action}: the server's answer has no jobId`);
  return run;
}
