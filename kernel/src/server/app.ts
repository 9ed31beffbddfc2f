/**
 * The Fastify application: bearer-token users, advanced-mode gating, problem details for every
 * error, schema validation before any work (TypeBox; unknown fields refused; bodies are never
 * coerced), per-user rate limits on job submission, and the OpenAPI document built from the same
 * schemas. Routes live in `routes/`, one file per resource.
 */
import { randomUUID } from "node:crypto";
import type { Writable } from "node:stream";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { toolVersion } from "../version.js";
import { HttpProblem, PROBLEM_CONTENT_TYPE, toProblem } from "./problem.js";
import "./request-user.js";
import { annotationRoutes } from "./routes/annotations.js";
import { eventRoutes } from "./routes/events.js";
import { mediaRoutes } from "./routes/media.js";
import { modelRoutes } from "./routes/models.js";
import { systemRoutes } from "./routes/system.js";
import { trainRoutes } from "./routes/train.js";
import type { ServerContext } from "./server-context.js";
import { describeIssues, type ValidationIssue } from "./validation-detail.js";

/** Options of {@link buildServer}. */
export interface BuildServerOptions {
  /** Where pino writes its JSON log lines (default stdout). */
  logStream?: Writable;
  /** pino level (default `info`). */
  logLevel?: string;
}

/** Paths that need no token. */
const PUBLIC_PATHS = new Set(["/healthz"]);

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const problem = toProblem(error, { correlationId: String(request.id), instance: request.url.split("?")[0] ?? request.url });
  const fields = { status: problem.status, title: problem.title, detail: problem.detail, method: request.method, url: request.url, user: request.user || undefined };
  if (problem.status >= 500) request.log.error({ ...fields, err: error }, "request failed");
  else request.log.info(fields, "request refused");
  if (problem.status === 401) void reply.header("www-authenticate", 'Bearer realm="trainset"');
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

function validationProblem(error: FastifyError, request: FastifyRequest): HttpProblem {
  const part = error.validationContext ?? "body";
  const data = part === "body" ? request.body : part === "querystring" ? request.query : part === "params" ? request.params : request.headers;
  const detail = describeIssues((error.validation ?? []) as ValidationIssue[], part, data);
  return new HttpProblem(400, request.routeOptions.config.problemTitle ?? "Invalid Request", detail || error.message);
}

/**
 * Builds the app (not listening yet) over a server context.
 * @example const app = await buildServer(ctx); await app.listen({ host: "127.0.0.1", port: 0 });
 */
export async function buildServer(ctx: ServerContext, options: BuildServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: options.logLevel ?? "info", ...(options.logStream === undefined ? {} : { stream: options.logStream }) },
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: "correlationId" }),
    bodyLimit: ctx.config.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    forceCloseConnections: "idle",
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.decorateRequest("user", "");

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation !== undefined) return sendProblem(request, reply, validationProblem(error, request));
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return sendProblem(request, reply, new HttpProblem(413, "Payload Too Large", `The request body is larger than the limit of ${ctx.config.bodyLimit} bytes`));
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return sendProblem(request, reply, new HttpProblem(415, "Unsupported Media Type", "Send the body as application/json"));
    if (error.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError) {
      return sendProblem(request, reply, new HttpProblem(400, "Invalid Request", `The body is not valid JSON: ${error.message}`));
    }
    return sendProblem(request, reply, error);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, new HttpProblem(404, "Not Found", `No route ${request.method} ${request.url.split("?")[0] ?? ""}`)));

  app.addHook("onRequest", async (request, reply) => {
    void reply.header("x-correlation-id", request.id);
    const path = request.url.split("?")[0] ?? "";
    if (PUBLIC_PATHS.has(path)) return;
    const token = bearer(request);
    if (token === undefined) throw new HttpProblem(401, "Unauthorized", "Send a bearer token: Authorization: Bearer <token> (see `trainset serve --print-token`)");
    const user = ctx.tokens.userFor(token);
    if (user === undefined) throw new HttpProblem(401, "Unauthorized", "The bearer token is not known to this server");
    request.user = user;
    if (path.startsWith("/api/ml/") && !ctx.config.advancedMode) {
      throw new HttpProblem(403, "Advanced Mode Required", "ML endpoints require Advanced Mode; enable it with `trainset serve --advanced` or advanced_mode: true in the server settings");
    }
  });

  // A POST without a body (seed 004's `curl -X POST .../model/revert`) is validated as `{}`.
  app.addHook("preValidation", (request, _reply, done) => {
    if (request.body === undefined && (request.method === "POST" || request.method === "PUT")) request.body = {};
    done();
  });

  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new HttpProblem(429, "Too Many Requests", `At most ${context.max} job submissions per user in ${Math.round(ctx.config.jobRateLimit.windowMs / 1000)} s; retry in ${context.after}`),
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "trainset server", version: toolVersion(), description: "Training backend (seed 004's /api/ml table) and export endpoints (seed 000). Every error is RFC 9457 problem details." },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
  });

  await app.register(systemRoutes, { ctx });
  await app.register(mediaRoutes, { ctx });
  await app.register(annotationRoutes, { ctx });
  await app.register(trainRoutes, { ctx });
  await app.register(eventRoutes, { ctx });
  await app.register(modelRoutes, { ctx });
  // Shutdown: end event streams now, and close each in-flight request's socket once it is answered
  // (an idle keep-alive socket would otherwise hold `close()` for the keep-alive timeout).
  let closing = false;
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) void reply.header("connection", "close");
    done(null, payload);
  });
  app.addHook("preClose", (done) => {
    closing = true;
    for (const stream of ctx.streams) stream.abort();
    done();
  });
  return app as unknown as FastifyInstance;
}
