import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CsvParser, TrainsetError, formatCsvRow, parseCsv, readCsv } from "trainset";
import { useTempDir } from "../../support/tmp.js";

describe("parseCsv()", () => {
  it("reads quoted fields with commas, doubled quotes and embedded newlines, with start lines", () => {
    const records = parseCsv('a,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",\r\n3,,z\r\n');
    assert.deepEqual(records, [
      { fields: ["a", "b", "c"], line: 1 },
      { fields: ["1", "x, y", 'say "hi"'], line: 2 },
      { fields: ["2", "two\nlines", ""], line: 3 },
      { fields: ["3", "", "z"], line: 5 },
    ]);
  });

  it("accepts LF line ends, a BOM and a missing final newline", () => {
    assert.deepEqual(parseCsv("\ufeffa,b\n1,2").map((r) => r.fields), [["a", "b"], ["1", "2"]]);
  });

  it("rejects an unclosed quote with the line it started on", () => {
    assert.throws(() => parseCsv('a\n"open\nstill', "t.csv"), (e: unknown) => e instanceof TrainsetError && e.line === 2 && e.file === "t.csv");
  });

  it("gives the same records when the text arrives in one-character chunks", () => {
    const text = 'a,"b ""q"""\r\n"x\r\ny",z\r\n';
    const parser = new CsvParser();
    const records = [...text].flatMap((c) => parser.push(c)).concat(parser.end());
    assert.deepEqual(records, parseCsv(text));
  });
});

describe("formatCsvRow()", () => {
  it("quotes like Python's csv module and ends rows with CRLF", () => {
    assert.equal(formatCsvRow(["1", "a,b", 'q"', "line\nbreak", "", "True"]), '1,"a,b","q""","line\nbreak",,True\r\n');
    assert.equal(formatCsvRow([""]), '""\r\n');
  });

  it("round-trips through parseCsv", () => {
    const rows = [["id", "text"], ["1", 'he said "x, y"\r\nok']];
    assert.deepEqual(parseCsv(rows.map(formatCsvRow).join("")).map((r) => r.fields), rows);
  });
});

describe("readCsv()", () => {
  const dir = useTempDir();
  it("streams records from a file", async () => {
    const path = join(dir(), "t.csv");
    await writeFile(path, "a,b\r\n" + Array.from({ length: 5000 }, (_, i) => `${i},"v${i}"`).join("\r\n"));
    let count = 0;
    let last: string[] = [];
    for await (const record of readCsv(path)) {
      count++;
      last = record.fields;
    }
    assert.equal(count, 5001);
    assert.deepEqual(last, ["4999", "v4999"]);
  });
});
