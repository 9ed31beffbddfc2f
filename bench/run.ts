/**
 * `npm run bench [-- --quick] [-- --only NAME]`: runs every entry and prints one table of
 * trainset vs its peer. Results are also written to bench/.work/results.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { entries } from "./entries.js";
import type { BenchRow } from "./harness.js";

const { values } = parseArgs({
  options: { quick: { type: "boolean", default: false }, only: { type: "string", multiple: true } },
});
const workDir = join(import.meta.dirname, ".work");
await mkdir(workDir, { recursive: true });
const selected = entries.filter((e) => values.only === undefined || values.only.includes(e.name));
const rows: Array<BenchRow & { entry: string; issue: number }> = [];
let failed = false;
for (const entry of selected) {
  process.stdout.write(`\n== ${entry.name} (issue #${entry.issue})\n`);
  try {
    const result = await entry.run({ workDir, quick: values.quick === true, log: (line) => process.stdout.write(`   ${line}\n`) });
    for (const row of result) rows.push({ ...row, entry: entry.name, issue: entry.issue });
  } catch (error) {
    failed = true;
    process.stdout.write(`   FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
}
process.stdout.write("\n| case | trainset | peer | ratio | goal | met |\n|---|---|---|---|---|---|\n");
for (const r of rows) {
  const ratio = r.ratio === undefined ? "-" : `${r.ratio.toFixed(2)}x`;
  const met = r.met === undefined ? "-" : r.met ? "yes" : "NO";
  process.stdout.write(`| ${r.case} | ${r.trainset} | ${r.peer} | ${ratio} | ${r.goal} | ${met} |\n`);
  if (r.notes !== undefined) process.stdout.write(`|   ${r.notes} | | | | | |\n`);
}
await writeFile(join(workDir, "results.json"), JSON.stringify({ date: new Date().toISOString(), quick: values.quick, rows }, null, 2) + "\n");
process.exitCode = failed ? 1 : 0;
