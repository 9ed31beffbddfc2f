import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  IssueCollector,
  TrainsetError,
  openJsonlAppender,
  parseJsonl,
  readJsonlAll,
  repairTornTail,
} from "trainset";
import { useTempDir } from "../../support/tmp.js";

describe("parseJsonl()", () => {
  it("returns each value with its 1-based line number and skips blank lines", () => {
    const lines = parseJsonl('{"a":1}\n\n{"a":2}\r\n');
    assert.deepEqual(lines, [
      { value: { a: 1 }, line: 1 },
      { value: { a: 2 }, line: 3 },
    ]);
  });

  it("throws a PARSE_ERROR naming the file and line of a broken line in strict mode", () => {
    assert.throws(
      () => parseJsonl('{"a":1}\n{"a":\n{"a":3}\n', { file: "m.jsonl" }),
      (error: unknown) =>
        error instanceof TrainsetError &&
        error.code === "PARSE_ERROR" &&
        error.file === "m.jsonl" &&
        error.line === 2 &&
        /^Cannot read JSONL "m\.jsonl": line 2 is not valid JSON/.test(error.message),
    );
  });

  it("collects every broken line and keeps the good ones in collect mode", () => {
    const issues = new IssueCollector("m.jsonl");
    const lines = parseJsonl('nope\n{"a":1}\n{"a":2', { file: "m.jsonl", issues });
    assert.deepEqual(lines.map((l) => l.line), [2]);
    assert.deepEqual(issues.issues.map((i) => [i.rule, i.line]), [["invalid-json", 1], ["torn-line", 3]]);
  });

  it("ignores a UTF-8 byte order mark", () => {
    assert.deepEqual(parseJsonl('\ufeff{"a":1}\n')[0]?.value, { a: 1 });
  });
});

describe("readJsonl()", () => {
  const dir = useTempDir();

  it("streams a file larger than one read chunk with correct line numbers", async () => {
    const path = join(dir(), "big.jsonl");
    const rows = Array.from({ length: 30000 }, (_, i) => JSON.stringify({ i, pad: "x".repeat(50) }));
    await writeFile(path, rows.join("\n") + "\n");
    const read = await readJsonlAll(path);
    assert.equal(read.length, 30000);
    assert.deepEqual(read[29999], { value: { i: 29999, pad: "x".repeat(50) }, line: 30000 });
  });

  it("reports a torn last line as incomplete rather than as bad JSON", async () => {
    const path = join(dir(), "torn.jsonl");
    await writeFile(path, '{"a":1}\n{"a":');
    await assert.rejects(readJsonlAll(path), /line 2 is incomplete: the file ends mid-record/);
  });

  it("turns a missing file into a NOT_FOUND error with the path", async () => {
    const path = join(dir(), "missing.jsonl");
    await assert.rejects(readJsonlAll(path), (error: unknown) => error instanceof TrainsetError && error.code === "NOT_FOUND" && error.message.includes(path));
  });
});

describe("openJsonlAppender()", () => {
  const dir = useTempDir();

  it("appends whole lines and creates the file and its folder", async () => {
    const path = join(dir(), "sub", "a.jsonl");
    const out = await openJsonlAppender(path);
    await out.append({ a: 1 });
    await out.append([{ a: 2 }, { a: 3 }]);
    await out.close();
    assert.equal(await readFile(path, "utf8"), '{"a":1}\n{"a":2}\n{"a":3}\n');
    assert.equal(out.repair, undefined);
  });

  it("cuts a torn tail, saves the cut bytes beside the file and reports the line", async () => {
    const path = join(dir(), "a.jsonl");
    await writeFile(path, '{"a":1}\n{"a":2}\n{"a":');
    const repairs: unknown[] = [];
    const out = await openJsonlAppender(path, { onRepair: (r) => repairs.push(r) });
    await out.append({ a: 3 });
    await out.close();
    assert.equal(await readFile(path, "utf8"), '{"a":1}\n{"a":2}\n{"a":3}\n');
    assert.equal(out.repair?.kind, "torn-line");
    assert.equal(out.repair?.line, 3);
    assert.equal(out.repair?.removedBytes, 5);
    assert.equal(repairs.length, 1);
    const saved = (await readdir(dir())).filter((name) => name.startsWith("a.jsonl.torn-"));
    assert.equal(saved.length, 1);
    assert.equal(await readFile(join(dir(), saved[0] ?? ""), "utf8"), '{"a":');
  });

  it("keeps a complete last record that only lacks its newline", async () => {
    const path = join(dir(), "a.jsonl");
    await writeFile(path, '{"a":1}\n{"a":2}');
    const repair = await repairTornTail(path);
    assert.deepEqual(repair, { kind: "missing-newline", line: 2, removedBytes: 0 });
    assert.equal(await readFile(path, "utf8"), '{"a":1}\n{"a":2}\n');
  });

  it("never tears a line when a writer process is killed mid-stream", async function () {
    this.timeout(30000);
    const path = join(dir(), "crash.jsonl");
    const { spawn } = await import("node:child_process");
    const script = `
      import { openJsonlAppender } from "trainset";
      const out = await openJsonlAppender(process.argv[1]);
      process.stdout.write("ready\\n");
      for (let i = 0; ; i++) await out.append({ i, pad: "y".repeat(3000) });
    `;
    const child = spawn(process.execPath, ["--conditions=trainset-source", "--import", "tsx", "--input-type=module", "-e", script, path], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const out = await openJsonlAppender(path);
    await out.append({ after: true });
    await out.close();
    const lines = await readJsonlAll(path);
    assert.ok(lines.length > 2, "the writer wrote something before it was killed");
    assert.deepEqual(lines.at(-1)?.value, { after: true });
  });
});
