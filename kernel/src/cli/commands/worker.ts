/** `trainset worker`: runs queued jobs until SIGINT/SIGTERM (or, with --once, until none is left). */
import { parseArgs } from "node:util";
import { defaultJobHandlers } from "../../jobs/handlers/index.js";
import { formatJobEvent } from "../../jobs/job-format.js";
import type { WorkerStopMode } from "../../jobs/job-queue.js";
import { openJobQueue, resolveQueueTarget } from "../../jobs/open-queue.js";
import { errorMessage } from "../../util/errors.js";
import { numberFlag, requirePositionals } from "../args.js";
import { println, UsageError, type CliCommand } from "../command.js";

const usage = `Usage: trainset worker [--store DIR] [--queue URL] [--concurrency N] [--requeue-interrupted] [--once] [--on-stop requeue|cancel|wait] [--quiet]

Runs jobs from the queue (kinds: noop, multilabel-train, frame-importance-train), one at a time
unless --concurrency says otherwise. Runs go to <store>/runs/, models to the registry in <store>/models/.

On start, and every few seconds, jobs left Running by a worker that died (kill -9, crash, power
loss) are marked Failed with the reason, or put back in the queue with --requeue-interrupted
(until their max attempts are used up).

SIGINT/SIGTERM stop the worker gracefully: it takes no new job and, by default (--on-stop requeue),
aborts its running jobs at the next batch and puts them back in the queue for the next worker;
--on-stop cancel ends them Cancelled, --on-stop wait lets them finish. A second signal exits at once
(the jobs are then recovered by the next worker like after a crash).

Options:
  --store DIR               service store (default $TRAINSET_STORE, else ./.trainset)
  --queue URL               redis://host:port/db, or a file-queue folder (default $TRAINSET_QUEUE, else <store>/jobs)
  --concurrency N           jobs run at once (default 1)
  --requeue-interrupted     retry jobs whose worker died instead of failing them
  --once                    exit when the queue is empty
  --quiet                   print only state changes, not progress`;

/** The `worker` command. */
export const workerCommand: CliCommand = {
  name: "worker",
  summary: "run queued training jobs (file queue or Redis) until stopped",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        store: { type: "string" },
        queue: { type: "string" },
        concurrency: { type: "string" },
        "requeue-interrupted": { type: "boolean" },
        once: { type: "boolean" },
        "on-stop": { type: "string" },
        quiet: { type: "boolean" },
      },
    });
    requirePositionals(positionals, 0, "");
    const concurrency = numberFlag("concurrency", values.concurrency, { min: 1, max: 64, integer: true }) ?? 1;
    const onStop = (values["on-stop"] ?? "requeue") as WorkerStopMode;
    if (!["requeue", "cancel", "wait"].includes(onStop)) throw new UsageError(`--on-stop must be requeue, cancel or wait, got "${onStop}"`);
    const target = { cwd: io.cwd, env: io.env, ...(values.store === undefined ? {} : { store: values.store }), ...(values.queue === undefined ? {} : { queue: values.queue }) };
    const { storeRoot } = resolveQueueTarget(target);
    const queue = await openJobQueue(target);
    const quiet = values.quiet === true;
    const worker = queue.createWorker({
      handlers: defaultJobHandlers(),
      storeRoot,
      concurrency,
      requeueInterrupted: values["requeue-interrupted"] === true,
      once: values.once === true,
      onEvent: (event) => {
        if (quiet && event.type === "progress") return;
        println(io.stdout, `${event.jobId} ${formatJobEvent(event)}`);
      },
      onError: (error) => println(io.stderr, `trainset worker: ${errorMessage(error)}`),
    });
    println(io.stderr, `worker ${worker.id} on ${queue.backend} queue ${queue.location} (concurrency ${concurrency}); store ${storeRoot}`);
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      println(io.stderr, `worker ${worker.id}: stopping (${onStop} running jobs)`);
      void worker.stop(onStop);
    };
    io.signal.addEventListener("abort", stop, { once: true });
    process.on("SIGTERM", stop);
    try {
      await worker.run();
    } finally {
      process.off("SIGTERM", stop);
      io.signal.removeEventListener("abort", stop);
      await queue.close();
    }
    println(io.stderr, `worker ${worker.id}: stopped`);
    return 0;
  },
};
