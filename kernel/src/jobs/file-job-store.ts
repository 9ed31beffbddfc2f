/**
 * The on-disk layout of the file job queue and its locked read-modify-write primitive.
 *
 * ```
 * <store>/jobs/<id>/job.json       the record (replaced atomically: temp file + fsync + rename)
 * <store>/jobs/<id>/events.jsonl   the job's events, append-only, one line per event
 * <store>/jobs/queued/<id>         index: jobs waiting, FIFO by id (ids start with the time)
 * <store>/jobs/running/<id>        index: jobs running (what crash recovery looks at)
 * <store>/jobs/requests/<key>      idempotency keys -> job id
 * <store>/jobs/workers/<id>.json   worker registrations; mtime is the heartbeat
 * ```
 *
 * Locking: every change to a job happens under that job's proper-lockfile lock (job-lock.ts).
 * proper-lockfile takes the lock with an atomic `mkdir` (atomic on local
 * disks and NFS) and keeps its mtime fresh while held, so a lock left by a worker killed with
 * SIGKILL goes stale and is taken over after ten seconds. Plain O_EXCL lock files cannot tell a
 * dead holder from a slow one without pid checks, and pids mean nothing across machines sharing a
 * store. One lock per job (not one per queue) keeps submitters, readers and workers from waiting
 * on each other: readers take no lock at all, since records are only ever replaced by rename.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { withJobLock } from "./job-lock.js";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic-write.js";
import { ioError, systemErrorCode, TrainsetError } from "../util/errors.js";
import { repairTornTail } from "../util/jsonl.js";
import { jobNotFound, type JobEvent, type JobEventBody, type JobRecord } from "./job-queue.js";

/** Index folders kept beside the job folders. */
export type JobIndex = "queued" | "running";

const ID_PATTERN = /^j-\d{8}-\d{9}-[0-9a-f]{8}$/;

let counter = randomBytes(2).readUInt16BE(0);

/**
 * A new job id: `j-<yyyymmdd>-<hhmmssmmm>-<counter><random>`, so sorting ids sorts by submit time
 * (and, within one millisecond of one process, by submit order).
 */
export function newJobId(now = new Date()): string {
  const iso = now.toISOString().replace(/[-:TZ.]/g, "");
  counter = (counter + 1) % 0x10000;
  return `j-${iso.slice(0, 8)}-${iso.slice(8, 17)}-${counter.toString(16).padStart(4, "0")}${randomBytes(2).toString("hex")}`;
}

/** True for strings shaped like a file-queue job id (anything else never touches the disk). */
export function isJobId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** Paths and primitives of one `<store>/jobs` folder. */
export class FileJobStore {
  constructor(readonly dir: string) {}

  /** Folder of a job. */
  jobDir(id: string): string {
    return join(this.dir, id);
  }

  /** Creates the index folders. */
  async init(): Promise<void> {
    for (const sub of ["queued", "running", "requests", "workers"]) await mkdir(join(this.dir, sub), { recursive: true });
  }

  /** The record, or undefined when the job does not exist. */
  async tryRead(id: string): Promise<JobRecord | undefined> {
    if (!isJobId(id)) return undefined;
    const file = join(this.jobDir(id), "job.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if (systemErrorCode(error) === "ENOENT") return undefined;
      throw ioError("read job", file, error);
    }
    try {
      return JSON.parse(text) as JobRecord;
    } catch (error) {
      throw new TrainsetError("PARSE_ERROR", `Cannot read job "${file}": it is not valid JSON`, { file, cause: error });
    }
  }

  /** The record; NOT_FOUND when unknown. */
  async read(id: string): Promise<JobRecord> {
    const job = await this.tryRead(id);
    if (job === undefined) throw jobNotFound(id);
    return job;
  }

  /** Writes a brand-new job (record first, then its first event, then the queued index entry); CONFLICT if the id exists. */
  async create(job: JobRecord, reason: string): Promise<JobRecord> {
    await mkdir(this.jobDir(job.id), { recursive: true });
    return this.update(job.id, () => ({ record: job, events: [{ type: "state", state: job.state, reason }] }), { creating: true });
  }

  /**
   * Read-modify-write of one job under its lock. `change` returns the new record and the events
   * to append (their `seq` is assigned here), or undefined to leave the job alone.
   */
  async update(
    id: string,
    change: (job: JobRecord) => { record: JobRecord; events: JobEventBody[] } | undefined,
    options: { creating?: boolean; onWritten?: (events: JobEvent[]) => void } = {},
  ): Promise<JobRecord> {
    if (!isJobId(id)) throw jobNotFound(id);
    return withJobLock(join(this.jobDir(id), "job"), async () => {
      // Creating checks under the lock that no record exists: nothing ever overwrites a job
      // (a folder without a record is what a submit killed halfway leaves, and is reused).
      if (options.creating === true && (await this.tryRead(id)) !== undefined)
        throw new TrainsetError("CONFLICT", `Cannot create job ${id}: the id is already taken`, { field: "id" });
      const current = options.creating === true ? undefined : await this.read(id);
      const next = change(current ?? ({ lastSeq: 0 } as JobRecord));
      if (next === undefined) return current as JobRecord;
      const now = new Date().toISOString();
      let seq = current?.lastSeq ?? 0;
      const events: JobEvent[] = next.events.map((body) => ({ ...body, jobId: id, seq: ++seq, at: now }));
      const record: JobRecord = { ...next.record, lastSeq: seq };
      // State changes (and cancel requests) are fsynced; progress, epoch and log updates are
      // still atomic (rename, whole-line appends) but skip fsync: a power cut may lose the last
      // few of them, never a state, and the queue runs 5-10x faster for it.
      const durable = current === undefined || current.state !== record.state || current.cancelRequestedAt !== record.cancelRequestedAt;
      // Record first, events second: a crash in between leaves a gap in `seq`, never a duplicate.
      await replaceJson(join(this.jobDir(id), "job.json"), record, durable);
      if (events.length > 0) await appendLines(join(this.jobDir(id), "events.jsonl"), events, durable);
      if (current?.state !== record.state) await this.syncIndexes(record);
      options.onWritten?.(events);
      return record;
    });
  }

  /** Makes the queued/running index entries agree with the record's state. */
  async syncIndexes(record: JobRecord): Promise<void> {
    await this.setIndex("queued", record.id, record.state === "Queued" ? "" : undefined);
    await this.setIndex("running", record.id, record.state === "Running" ? (record.workerId ?? "") : undefined);
  }

  /** Adds (content given) or removes (undefined) an index entry. */
  async setIndex(index: JobIndex, id: string, content: string | undefined): Promise<void> {
    const file = join(this.dir, index, id);
    try {
      if (content === undefined) await rm(file, { force: true });
      else await writeFile(file, content);
    } catch (error) {
      throw ioError(`update the ${index} index of job`, file, error);
    }
  }

  /** Ids listed in an index, oldest first. */
  async listIndex(index: JobIndex): Promise<string[]> {
    return (await this.readdirSafe(join(this.dir, index))).filter(isJobId).sort();
  }

  /** Every job id in the store, oldest first. */
  async listIds(): Promise<string[]> {
    return (await this.readdirSafe(this.dir)).filter(isJobId).sort();
  }

  /** Events with `seq > afterSeq`; a torn last line (writer killed mid-append) is skipped. */
  async readEvents(id: string, afterSeq = 0, limit?: number): Promise<JobEvent[]> {
    if ((await this.tryRead(id)) === undefined) throw jobNotFound(id);
    let text: string;
    try {
      text = await readFile(join(this.jobDir(id), "events.jsonl"), "utf8");
    } catch (error) {
      if (systemErrorCode(error) === "ENOENT") return [];
      throw ioError("read events of job", id, error);
    }
    const out: JobEvent[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let event: JobEvent;
      try {
        event = JSON.parse(line) as JobEvent;
      } catch {
        continue;
      }
      if (event.seq > afterSeq) out.push(event);
      if (limit !== undefined && out.length >= limit) break;
    }
    return out;
  }

  /** The job id recorded for an idempotency key, if any. */
  async requestJobId(key: string): Promise<string | undefined> {
    try {
      return (await readFile(join(this.dir, "requests", key), "utf8")).trim();
    } catch (error) {
      if (systemErrorCode(error) === "ENOENT") return undefined;
      throw ioError("read request key", key, error);
    }
  }

  /** Records an idempotency key (atomically). */
  async writeRequestJobId(key: string, id: string): Promise<void> {
    await writeFileAtomic(join(this.dir, "requests", key), id);
  }

  private async readdirSafe(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (error) {
      if (systemErrorCode(error) === "ENOENT") return [];
      throw ioError("list", dir, error);
    }
  }
}

/** Replaces a JSON file by rename; fsyncs file and folder when `durable`. */
async function replaceJson(path: string, value: unknown, durable: boolean): Promise<void> {
  if (durable) return writeJsonAtomic(path, value);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(value, null, 2) + "\n");
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw ioError("write", path, error);
  }
}

/** Appends records as JSON lines in one write, first cutting off a torn line left by a crash. */
async function appendLines(path: string, records: readonly unknown[], durable: boolean): Promise<void> {
  await repairTornTail(path);
  const text = records.map((r) => JSON.stringify(r) + "\n").join("");
  let handle;
  try {
    handle = await open(path, "a");
    await handle.write(text);
    if (durable) await handle.sync();
  } catch (error) {
    throw ioError("append to", path, error);
  } finally {
    await handle?.close();
  }
}
