import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { extract } from "tar-stream";
import { TAR_END, tarFileHeader, tarPadding } from "../../../kernel/src/bundle/tar-header.js";
import { useTempDir } from "../../support/tmp.js";

function archive(entries: Array<{ name: string; data: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) parts.push(tarFileHeader(e.name, e.data.length, new Date("2026-01-02T03:04:05Z")), e.data, Buffer.alloc(tarPadding(e.data.length)));
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

describe("tarFileHeader()", () => {
  const tmp = useTempDir();
  const entries = [
    { name: "export/annotations.csv", data: Buffer.from("a,b\n1,2\n") },
    { name: `export/frames/${"d".repeat(120)}/frame_0000001.jpg`, data: Buffer.alloc(700, 7) },
    { name: "export/frames/bild_äöü.jpg", data: Buffer.alloc(0) },
  ];

  it("writes entries that tar-stream reads back with their long and non-ASCII names", async () => {
    const ex = extract();
    const seen: Array<{ name: string; size: number }> = [];
    const done = (async () => {
      for await (const entry of ex) {
        let size = 0;
        for await (const part of entry) size += (part as Buffer).length;
        seen.push({ name: entry.header.name, size });
      }
    })();
    ex.end(archive(entries));
    await done;
    assert.deepEqual(seen, entries.map((e) => ({ name: e.name, size: e.data.length })));
  });

  it("writes entries that GNU tar lists and extracts", () => {
    const file = join(tmp(), "a.tar");
    writeFileSync(file, archive(entries));
    assert.deepEqual(execFileSync("tar", ["-tf", file], { encoding: "utf8" }).trim().split("\n"), entries.map((e) => e.name));
    execFileSync("tar", ["-xf", file, "-C", tmp()]);
    assert.equal(execFileSync("cat", [join(tmp(), "export/annotations.csv")], { encoding: "utf8" }), "a,b\n1,2\n");
  });
});
