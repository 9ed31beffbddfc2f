/** `trainset audit history|stats`: the audit log of runs, deploys, reverts and restores. */
import { parseArgs } from "node:util";
import { auditStatistics, readAuditHistory, type AuditFilter, type AuditOutcome } from "../../service/audit-log.js";
import { numberFlag } from "../args.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { printJson, serviceFlags, serviceFlagsHelp, shortTime, storeRootFor } from "./service-options.js";

const usage = `Usage: trainset audit <history|stats> [options]

The audit log <store>/audit.jsonl: every training run, deploy, revert and restore with who, when,
outcome, duration, metrics, system info and errors.

  history   entries, newest first
  stats     counts by outcome and action, average and total duration, date range

Options:
${serviceFlagsHelp.replace("user id (default default-user)", "only entries of this user")}
  --action A      only this action (train, deploy, revert, restore, ...)
  --outcome O     only success, failure or cancelled
  --model NAME    only this model
  --job-id ID     only this job
  --since ISO     only entries at or after this time
  --until ISO     only entries at or before this time
  --limit N       history: newest N (default 50)`;

const OUTCOMES: readonly string[] = ["success", "failure", "cancelled"];

function isoFlag(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Number.isNaN(Date.parse(value))) throw new UsageError(`--${name} must be an ISO date, got "${value}"`);
  return value;
}

/** The `audit` command. */
export const auditCommand: CliCommand = {
  name: "audit",
  summary: "show the audit history or statistics of runs and deploys",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...serviceFlags, action: { type: "string" }, outcome: { type: "string" }, model: { type: "string" }, "job-id": { type: "string" }, since: { type: "string" }, until: { type: "string" }, limit: { type: "string" } },
    });
    const [sub, extra] = positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    if (values.outcome !== undefined && !OUTCOMES.includes(values.outcome)) throw new UsageError(`--outcome must be success, failure or cancelled, got "${values.outcome}"`);
    const since = isoFlag("since", values.since);
    const until = isoFlag("until", values.until);
    const filter: AuditFilter = {
      ...(values.action === undefined ? {} : { action: values.action }),
      ...(values.user === undefined ? {} : { user: values.user }),
      ...(values.outcome === undefined ? {} : { outcome: values.outcome as AuditOutcome }),
      ...(values.model === undefined ? {} : { model: values.model }),
      ...(values["job-id"] === undefined ? {} : { jobId: values["job-id"] }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
    };
    const root = storeRootFor(values, io);
    if (sub === "history") {
      const limit = numberFlag("limit", values.limit, { min: 1, integer: true }) ?? 50;
      const entries = await readAuditHistory(root, { ...filter, limit });
      if (values.json === true) printJson(io, entries);
      else {
        for (const e of entries) {
          const what = [e.model, e.version, e.jobId === undefined ? undefined : `job ${e.jobId}`].filter((x) => x !== undefined).join(" ");
          const dur = e.durationMs === undefined ? "" : ` ${(e.durationMs / 1000).toFixed(1)}s`;
          println(io.stdout, `${shortTime(e.at)}  ${e.action.padEnd(8)} ${e.outcome.padEnd(9)} ${e.user}  ${what}${dur}${e.error === undefined ? "" : `  error: ${e.error}`}`);
        }
        println(io.stdout, `${entries.length} entr${entries.length === 1 ? "y" : "ies"}`);
      }
      return 0;
    }
    if (sub === "stats") {
      const s = await auditStatistics(root, filter);
      if (values.json === true) printJson(io, s);
      else {
        println(io.stdout, `total:      ${s.total} (success ${s.byOutcome.success}, failure ${s.byOutcome.failure}, cancelled ${s.byOutcome.cancelled})`);
        println(io.stdout, `by action:  ${Object.entries(s.byAction).map(([a, n]) => `${a} ${n}`).join(", ") || "-"}`);
        println(io.stdout, `duration:   average ${(s.averageDurationMs / 1000).toFixed(1)}s, total ${(s.totalDurationMs / 1000).toFixed(1)}s`);
        println(io.stdout, `date range: ${shortTime(s.firstAt)} .. ${shortTime(s.lastAt)}`);
        if (s.skippedLines > 0) println(io.stderr, `${s.skippedLines} unreadable line(s) skipped`);
      }
      return 0;
    }
    throw new UsageError(sub === undefined ? "missing sub-command (history or stats)" : `unknown sub-command "${sub}"`);
  },
};
