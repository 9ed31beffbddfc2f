/** The HTTP server of `trainset serve`. Kept out of the package barrel on purpose: Fastify takes long to load, and only `serve` needs it. */
export { buildServer, type BuildServerOptions } from "./app.js";
export { DEFAULT_PORT, readServerSettings, resolveServerConfig, serverFiles, type ServerConfig, type ServerConfigOverrides, type ServerSettingsFile } from "./config.js";
export { PathGuard, PATH_REFUSED_TITLE } from "./path-guard.js";
export { HttpProblem, PROBLEM_CONTENT_TYPE, toProblem, type ProblemContext, type ProblemDetails } from "./problem.js";
export { startServer, type RunningServer, type StartServerOptions } from "./start.js";
export { addToken, ensureTokenFile, newToken, readTokenFile, tokenTable, type AddTokenResult, type TokenFile, type TokenRecord, type TokenTable } from "./tokens.js";
export { defaultWorkerCommand, startWorkerProcess, type WorkerProcess, type WorkerProcessOptions } from "./worker-process.js";
