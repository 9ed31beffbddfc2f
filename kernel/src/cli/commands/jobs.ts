/** `trainset jobs submit|status|list|cancel|logs`: the client side of the job queue. */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { followJobEvents } from "../../jobs/job-events.js";
import { prepareJobConfig } from "../../jobs/job-config.js";
import { formatJobEvent, formatJobRow, formatJobStatus } from "../../jobs/job-format.js";
import { JOB_KINDS, JOB_STATES, type JobKind, type JobQueue, type JobState } from "../../jobs/job-queue.js";
import { openJobQueue } from "../../jobs/open-queue.js";
import { TrainsetError } from "../../util/errors.js";
import { numberFlag, requirePositionals } from "../args.js";
import { println, UsageError, type CliCommand, type CliIo } from "../command.js";

const common = `Common options:
  --store DIR     service store (default $TRAINSET_STORE, else ./.trainset)
  --queue URL     queue backend: redis://host:port/db, or a file-queue folder (default $TRAINSET_QUEUE, else <store>/jobs)
  --json          print JSON instead of text`;

const commonOptions = { store: { type: "string" }, queue: { type: "string" }, json: { type: "boolean" } } as const;

async function withQueue<T>(values: { store?: string | undefined; queue?: string | undefined }, io: CliIo, fn: (queue: JobQueue) => Promise<T>): Promise<T> {
  const queue = await openJobQueue({ cwd: io.cwd, env: io.env, ...(values.store === undefined ? {} : { store: values.store }), ...(values.queue === undefined ? {} : { queue: values.queue }) });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

function parseKind(value: string): JobKind {
  if (!(JOB_KINDS as readonly string[]).includes(value)) throw new UsageError(`unknown job kind "${value}" (one of ${JOB_KINDS.join(", ")})`);
  return value as JobKind;
}

function parseStates(value: string | undefined): JobState[] | undefined {
  if (value === undefined) return undefined;
  const states = value.split(",").map((s) => JOB_STATES.find((k) => k.toLowerCase() === s.trim().toLowerCase()));
  if (states.some((s) => s === undefined)) throw new UsageError(`--state must be among ${JOB_STATES.join(", ")}, got "${value}"`);
  return states as JobState[];
}

async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new TrainsetError("NOT_FOUND", `Cannot read job config "${path}": ${error instanceof Error ? error.message : String(error)}`, { file: path, cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TrainsetError("PARSE_ERROR", `Cannot read job config "${path}": it is not valid JSON (${error instanceof Error ? error.message : String(error)})`, { file: path, cause: error });
  }
}

/** `trainset jobs submit`. */
export const jobsSubmitCommand: CliCommand = {
  name: "jobs submit",
  summary: "queue a job (multilabel-train, frame-importance-train, noop) and print its id",
  usage: `Usage: trainset jobs submit <kind> [--config FILE] [--user U] [--request-id KEY] [--max-attempts N] [--follow]

Kinds: ${JOB_KINDS.join(", ")}. The config file is JSON: for training kinds either
{ "train": {...training config...}, "model": "name", "deploy": true, "force": false, "gate": {"metric": "test.mae", "threshold": 0.01} }
or a bare training config; relative paths are resolved against the file's folder. The job is on disk when the id is printed.
--request-id makes retries safe: a second submit with the same key returns the first job.
--follow prints the job's events until it ends (exit 0 Completed, 1 Failed, 130 Cancelled).

${common}`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...commonOptions, config: { type: "string" }, user: { type: "string" }, "request-id": { type: "string" }, "max-attempts": { type: "string" }, follow: { type: "boolean" } },
    });
    const [kindArg] = requirePositionals(positionals, 1, "the job kind") as [string];
    const kind = parseKind(kindArg);
    const file = values.config === undefined ? undefined : resolve(io.cwd, values.config);
    if (file === undefined && kind !== "noop" && kind !== "frame-importance-train") throw new UsageError(`${kind} needs --config FILE`);
    const config = prepareJobConfig(kind, file === undefined ? undefined : await readConfigFile(file), file === undefined ? io.cwd : dirname(file), file);
    const maxAttempts = numberFlag("max-attempts", values["max-attempts"], { min: 1, max: 100, integer: true });
    return withQueue(values, io, async (queue) => {
      const job = await queue.submit({
        kind,
        config,
        ...(values.user === undefined ? {} : { user: values.user }),
        ...(values["request-id"] === undefined ? {} : { requestId: values["request-id"] }),
        ...(maxAttempts === undefined ? {} : { maxAttempts }),
      });
      if (values.json === true) println(io.stdout, JSON.stringify(job, null, 2));
      else println(io.stdout, job.id);
      if (values.follow !== true) return 0;
      return followToEnd(queue, job.id, io, 0, values.json === true);
    });
  },
};

async function followToEnd(queue: JobQueue, id: string, io: CliIo, afterSeq: number, json: boolean): Promise<number> {
  for await (const event of followJobEvents(queue, id, { afterSeq, signal: io.signal })) println(io.stdout, json ? JSON.stringify(event) : formatJobEvent(event));
  if (io.signal.aborted) return 130;
  const job = await queue.get(id);
  return job.state === "Completed" ? 0 : job.state === "Cancelled" ? 130 : job.state === "Failed" ? 1 : 0;
}

/** `trainset jobs status`. */
export const jobsStatusCommand: CliCommand = {
  name: "jobs status",
  summary: "show a job's state, progress, metrics, result or error",
  usage: `Usage: trainset jobs status ID [--json]\n\n${common}`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: commonOptions });
    const [id] = requirePositionals(positionals, 1, "the job id") as [string];
    return withQueue(values, io, async (queue) => {
      const job = await queue.get(id);
      println(io.stdout, values.json === true ? JSON.stringify(job, null, 2) : formatJobStatus(job));
      return 0;
    });
  },
};

/** `trainset jobs list`. */
export const jobsListCommand: CliCommand = {
  name: "jobs list",
  summary: "list jobs, newest first, filtered by state, user or kind",
  usage: `Usage: trainset jobs list [--state S[,S]] [--user U] [--kind K] [--limit N] [--json]

States: ${JOB_STATES.join(", ")}.

${common}`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...commonOptions, state: { type: "string" }, user: { type: "string" }, kind: { type: "string" }, limit: { type: "string" } } });
    requirePositionals(positionals, 0, "");
    const state = parseStates(values.state);
    const limit = numberFlag("limit", values.limit, { min: 0, integer: true });
    return withQueue(values, io, async (queue) => {
      const jobs = await queue.list({
        ...(state === undefined ? {} : { state }),
        ...(values.user === undefined ? {} : { user: values.user }),
        ...(values.kind === undefined ? {} : { kind: parseKind(values.kind) }),
        ...(limit === undefined ? {} : { limit }),
      });
      if (values.json === true) println(io.stdout, JSON.stringify(jobs, null, 2));
      else if (jobs.length === 0) println(io.stdout, "no jobs");
      else for (const job of jobs) println(io.stdout, formatJobRow(job));
      return 0;
    });
  },
};

/** `trainset jobs cancel`. */
export const jobsCancelCommand: CliCommand = {
  name: "jobs cancel",
  summary: "cancel a queued job now, or ask the worker to stop a running one",
  usage: `Usage: trainset jobs cancel ID [--reason TEXT] [--json]

A queued job ends Cancelled at once; a running one is stopped by its worker within about a
second and ends Cancelled after the current batch. Cancelling a finished job is an error.

${common}`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...commonOptions, reason: { type: "string" } } });
    const [id] = requirePositionals(positionals, 1, "the job id") as [string];
    return withQueue(values, io, async (queue) => {
      const job = await queue.cancel(id, values.reason === undefined ? {} : { reason: values.reason });
      if (values.json === true) println(io.stdout, JSON.stringify(job, null, 2));
      else println(io.stdout, job.state === "Cancelled" ? `${job.id} Cancelled` : `${job.id} cancel requested (running on ${job.workerId ?? "a worker"})`);
      return 0;
    });
  },
};

/** `trainset jobs logs`. */
export const jobsLogsCommand: CliCommand = {
  name: "jobs logs",
  summary: "print a job's events (states, progress, epochs, log lines); --follow waits for more",
  usage: `Usage: trainset jobs logs ID [--follow] [--after SEQ] [--json]

Every event carries a sequence number (#N); --after N prints only later ones.

${common}`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...commonOptions, follow: { type: "boolean" }, after: { type: "string" } } });
    const [id] = requirePositionals(positionals, 1, "the job id") as [string];
    const after = numberFlag("after", values.after, { min: 0, integer: true }) ?? 0;
    return withQueue(values, io, async (queue) => {
      if (values.follow === true) return followToEnd(queue, id, io, after, values.json === true);
      for (const event of await queue.readEvents(id, { afterSeq: after })) println(io.stdout, values.json === true ? JSON.stringify(event) : formatJobEvent(event));
      return 0;
    });
  },
};

/** Every `trainset jobs …` command. */
export const jobsCommands: readonly CliCommand[] = [jobsSubmitCommand, jobsStatusCommand, jobsListCommand, jobsCancelCommand, jobsLogsCommand];
