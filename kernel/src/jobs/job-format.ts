/** Plain-text views of jobs and their events for the CLI (pure). */
import type { JobEvent, JobRecord } from "./job-queue.js";

/** One line per event: `#12 14:35:10 progress 45% training: Epoch 3/10`. */
export function formatJobEvent(event: JobEvent): string {
  const time = event.at.slice(11, 19);
  const head = `#${event.seq} ${time}`;
  switch (event.type) {
    case "state":
      return `${head} state ${event.state}${event.reason === undefined ? "" : `: ${event.reason}`}`;
    case "progress":
      return `${head} progress ${event.progress.percent}% ${event.progress.phase}: ${event.progress.message}`;
    case "epoch":
      return `${head} epoch ${event.epoch}/${event.epochs} ${Object.entries(event.metrics).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`).join(" ")}`;
    case "log":
      return `${head} ${event.level} ${event.message}`;
  }
}

/** The status block of `trainset jobs status`. */
export function formatJobStatus(job: JobRecord): string {
  const rows: [string, string | undefined][] = [
    ["job", job.id],
    ["kind", job.kind],
    ["user", job.user],
    ["state", job.state],
    ["progress", `${job.progress.percent}% (${job.progress.phase}) ${job.progress.message}`],
    ["created", job.createdAt],
    ["started", job.startedAt],
    ["finished", job.finishedAt],
    ["attempts", `${job.attempts} of ${job.maxAttempts}`],
    ["worker", job.workerId],
    ["cancel requested", job.cancelRequestedAt],
    ["metrics", job.metrics === undefined ? undefined : Object.entries(job.metrics).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`).join(" ")],
    ["result", job.result === undefined ? undefined : JSON.stringify(job.result)],
    ["error", job.error],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined).map(([k, v]) => `${k.padEnd(17)}${v}`).join("\n");
}

/** One row of `trainset jobs list`. */
export function formatJobRow(job: JobRecord): string {
  return `${job.id}  ${job.state.padEnd(9)}  ${String(job.progress.percent).padStart(5)}%  ${job.kind.padEnd(22)}  ${job.user.padEnd(14)}  ${job.createdAt}${job.error === undefined ? "" : `  ${job.error}`}`;
}
