/** `trainset annotations store|get|stats|clear|users`: the per-user annotation store. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  annotationStats,
  clearAnnotations,
  getAnnotations,
  listAnnotationUsers,
  storeAnnotations,
  type AnnotationItem,
} from "../../service/annotation-store.js";
import { ioError, TrainsetError } from "../../util/errors.js";
import { parseJsonl } from "../../util/jsonl.js";
import { numberFlag } from "../args.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { printJson, serviceFlags, serviceFlagsHelp, shortTime, storeRootFor } from "./service-options.js";

const usage = `Usage: trainset annotations <store|get|stats|clear|users> [options]

Per-user frame ratings (0.0-1.0) in <store>/annotations/<user>/annotations.jsonl.

  store   --file FILE          append a batch: JSON {"annotations":[{"framePath","rating","metadata"?}]},
                               a JSON array, or JSONL lines (framePath, frame_path or FramePath keys)
          --frame PATH --rating R [--metadata JSON]   append one annotation
          A batch is validated whole first: nothing is written when one item is bad.
  get     [--limit N]          list the user's annotations (newest last)
  stats                        count, average rating, oldest and newest
  clear   --yes                remove every annotation of the user
  users                        list users with annotations

Options:
${serviceFlagsHelp}
  --file FILE     batch to store
  --frame PATH    frame path of one annotation
  --rating R      its rating, 0.0 to 1.0
  --metadata JSON its metadata object
  --limit N       get: show only the last N
  --yes           clear: confirm

Example: trainset annotations store --user ana --frame frame001.jpg --rating 0.9`;

function pick(raw: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (raw[k] !== undefined) return raw[k];
  return undefined;
}

function toItem(value: unknown): AnnotationItem {
  const raw = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const metadata = pick(raw, "metadata", "Metadata");
  const timestamp = pick(raw, "timestamp", "Timestamp");
  return {
    framePath: pick(raw, "framePath", "frame_path", "FramePath") as string,
    rating: pick(raw, "rating", "Rating") as number,
    ...(metadata === undefined ? {} : { metadata: metadata as Record<string, unknown> }),
    ...(timestamp === undefined ? {} : { timestamp: timestamp as string }),
  };
}

async function readBatch(file: string): Promise<AnnotationItem[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw ioError("read annotations", file, error);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || (trimmed.startsWith("{") && !trimmed.includes("\n{"))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new TrainsetError("PARSE_ERROR", `Cannot read annotations "${file}": it is not valid JSON`, { file, cause: error });
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { annotations?: unknown }).annotations;
    if (!Array.isArray(list)) throw new TrainsetError("VALIDATION_ERROR", `Cannot read annotations "${file}": expected an array or {"annotations": [...]}`, { file, field: "annotations" });
    return list.map(toItem);
  }
  return parseJsonl(text, { file }).map((l) => toItem(l.value));
}

/** The `annotations` command. */
export const annotationsCommand: CliCommand = {
  name: "annotations",
  summary: "store, list, summarise or clear a user's frame ratings",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...serviceFlags, file: { type: "string" }, frame: { type: "string" }, rating: { type: "string" }, metadata: { type: "string" }, limit: { type: "string" }, yes: { type: "boolean" } },
    });
    const [sub, extra] = positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const root = storeRootFor(values, io);
    const user = values.user ?? "default-user";
    if (sub === "store") {
      let items: AnnotationItem[];
      if (values.file !== undefined) {
        if (values.frame !== undefined) throw new UsageError("give --file or --frame, not both");
        items = await readBatch(resolve(io.cwd, values.file));
      } else if (values.frame !== undefined) {
        if (values.rating === undefined) throw new UsageError("--frame needs --rating");
        let metadata: unknown;
        if (values.metadata !== undefined) {
          try {
            metadata = JSON.parse(values.metadata);
          } catch {
            throw new UsageError("--metadata must be a JSON object");
          }
        }
        items = [{ framePath: values.frame, rating: Number(values.rating), ...(metadata === undefined ? {} : { metadata: metadata as Record<string, unknown> }) }];
      } else throw new UsageError("store needs --file FILE or --frame PATH --rating R");
      const result = await storeAnnotations(root, user, items);
      if (values.json === true) printJson(io, result);
      else {
        if (result.repair !== undefined) println(io.stderr, `repaired ${result.file}: ${result.repair.kind} at line ${result.repair.line}${result.repair.savedTo === undefined ? "" : ` (removed bytes saved to ${result.repair.savedTo})`}`);
        println(io.stdout, `Successfully uploaded ${result.stored} annotations for user ${user}`);
      }
      return 0;
    }
    if (sub === "get") {
      const limit = numberFlag("limit", values.limit, { min: 0, integer: true });
      const result = await getAnnotations(root, user);
      const shown = limit === undefined ? result.annotations : result.annotations.slice(-limit);
      if (values.json === true) printJson(io, { ...result, annotations: shown });
      else {
        for (const a of shown) println(io.stdout, `${a.rating.toFixed(2)}  ${shortTime(a.timestamp)}  ${a.framePath}${a.metadata === undefined ? "" : `  ${JSON.stringify(a.metadata)}`}`);
        for (const i of result.issues) println(io.stderr, `skipped line ${i.line ?? "?"}: ${i.message}`);
        println(io.stdout, `${result.annotations.length} annotations for user ${user}`);
      }
      return 0;
    }
    if (sub === "stats") {
      const s = await annotationStats(root, user);
      if (values.json === true) printJson(io, s);
      else {
        println(io.stdout, `user:           ${s.userId}`);
        println(io.stdout, `annotations:    ${s.totalAnnotations}`);
        println(io.stdout, `average rating: ${s.averageRating.toFixed(3)}`);
        println(io.stdout, `oldest:         ${shortTime(s.oldestAnnotation)}`);
        println(io.stdout, `newest:         ${shortTime(s.newestAnnotation)}`);
      }
      return 0;
    }
    if (sub === "clear") {
      if (values.yes !== true) throw new UsageError("clear removes every annotation of the user: add --yes to confirm");
      const r = await clearAnnotations(root, user);
      if (values.json === true) printJson(io, r);
      else println(io.stdout, r.removed ? `cleared the annotations of user ${user}` : `user ${user} had no annotations`);
      return 0;
    }
    if (sub === "users") {
      const users = await listAnnotationUsers(root);
      if (values.json === true) printJson(io, users);
      else for (const u of users) println(io.stdout, u);
      return 0;
    }
    throw new UsageError(sub === undefined ? "missing sub-command (store, get, stats, clear or users)" : `unknown sub-command "${sub}"`);
  },
};
