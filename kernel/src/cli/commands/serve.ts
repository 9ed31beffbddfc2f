/** `trainset serve`: the training backend and export endpoints over HTTP; `trainset serve token create`. */
import { parseArgs } from "node:util";
import { resolveStoreRoot } from "../../service/store-layout.js";
import { resolveServerConfig, serverFiles, type ServerConfigOverrides } from "../../server/config.js";
import { addToken, ensureTokenFile } from "../../server/tokens.js";
import { numberFlag, requirePositionals } from "../args.js";
import { println, UsageError, type CliCommand, type CliIo } from "../command.js";

const usage = `Usage: trainset serve [--store DIR] [--host ADDR] [--port N] [--root DIR]... [--library FILE]
                      [--advanced] [--no-worker] [--token-file FILE] [--print-token]

Serves seed 004's /api/ml/... training API and seed 000's /api/media/videos/... export API.
Every request needs "Authorization: Bearer <token>"; the token file (mode 0600, default
<store>/server/tokens.json) is created with one token for default-user on first start.
ML endpoints answer 403 until Advanced Mode is on (--advanced or advanced_mode in
<store>/server/settings.json). Paths in requests must resolve inside the --root folders.
A \`trainset worker\` child process runs the training jobs (--no-worker: run your own).
OpenAPI: GET /openapi.json. Stop with Ctrl-C or SIGTERM (in-flight requests finish).

Options:
  --store DIR        store root (default $TRAINSET_STORE, else ./.trainset)
  --host ADDR        interface to bind (default 127.0.0.1)
  --port N           port (default 5005; 0 = any free port)
  --root DIR         a folder request paths may name (repeatable; default the current folder)
  --library FILE     video-library JSON for the /api/media endpoints
  --advanced         enable Advanced Mode (the ML endpoints)
  --no-worker        do not start a worker process
  --token-file FILE  token file (default <store>/server/tokens.json)
  --print-token      print default-user's token (creating the file if needed) and exit`;

const tokenUsage = `Usage: trainset serve token create --user NAME [--store DIR] [--token-file FILE]

Adds a bearer token for NAME to the server's token file (mode 0600) and prints it.
The running server reads the file at start: restart it to use the new token.`;

function waitForStop(io: CliIo): Promise<string> {
  return new Promise((resolve) => {
    const onTerm = (): void => resolve("SIGTERM");
    process.once("SIGTERM", onTerm);
    if (io.signal.aborted) resolve("SIGINT");
    io.signal.addEventListener("abort", () => {
      process.off("SIGTERM", onTerm);
      resolve("SIGINT");
    });
  });
}

/** The `serve` command. */
export const serveCommand: CliCommand = {
  name: "serve",
  summary: "serve the training and export API over HTTP (bearer tokens, OpenAPI at /openapi.json)",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        store: { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        root: { type: "string", multiple: true },
        library: { type: "string" },
        advanced: { type: "boolean" },
        "no-worker": { type: "boolean" },
        "token-file": { type: "string" },
        "print-token": { type: "boolean" },
      },
    });
    requirePositionals(positionals, 0, "");
    const storeRoot = resolveStoreRoot({ ...(values.store === undefined ? {} : { store: values.store }), cwd: io.cwd, env: io.env });
    const tokenFile = values["token-file"] ?? serverFiles(storeRoot).tokens;
    if (values["print-token"] === true) {
      const { token } = await ensureTokenFile(tokenFile, "default-user");
      println(io.stdout, token);
      return 0;
    }
    const port = numberFlag("port", values.port, { min: 0, max: 65535, integer: true });
    const overrides: ServerConfigOverrides = {
      tokenFile,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(port === undefined ? {} : { port }),
      ...(values.root === undefined ? {} : { roots: values.root }),
      ...(values.library === undefined ? {} : { library: values.library }),
      ...(values.advanced === true ? { advancedMode: true } : {}),
      ...(values["no-worker"] === true ? { spawnWorker: false } : {}),
    };
    const config = await resolveServerConfig(storeRoot, overrides, io.cwd);
    // Loaded here, not at the top: Fastify takes a while to load and other commands never need it.
    const { startServer } = await import("../../server/start.js");
    const server = await startServer(config);
    println(io.stderr, `trainset serve: listening on ${server.url} (OpenAPI: ${server.url}/openapi.json)`);
    if (server.createdToken !== undefined) println(io.stderr, `trainset serve: created ${config.tokenFile} with a token for default-user: ${server.createdToken}`);
    else println(io.stderr, "trainset serve: get a token with `trainset serve --print-token`");
    if (!config.advancedMode) println(io.stderr, "trainset serve: Advanced Mode is off: /api/ml endpoints answer 403 (use --advanced)");
    const why = await waitForStop(io);
    println(io.stderr, `trainset serve: ${why}: shutting down`);
    await server.close();
    return 0;
  },
};

/** The `serve token create` command. */
export const serveTokenCommand: CliCommand = {
  name: "serve token create",
  summary: "add a bearer token for a user to the server's token file",
  usage: tokenUsage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { user: { type: "string" }, store: { type: "string" }, "token-file": { type: "string" } } });
    requirePositionals(positionals, 0, "");
    if (values.user === undefined) throw new UsageError("missing --user NAME");
    const storeRoot = resolveStoreRoot({ ...(values.store === undefined ? {} : { store: values.store }), cwd: io.cwd, env: io.env });
    const { token } = await addToken(values["token-file"] ?? serverFiles(storeRoot).tokens, values.user);
    println(io.stdout, token);
    return 0;
  },
};
