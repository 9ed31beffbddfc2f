import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { generateKeyFile } from "trainset";
import { useTempDir } from "../../support/tmp.js";
import { makeExport } from "../../unit/bundle/export-fixture.js";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "../../..");

/** Runs one bundle action in a fresh Node process and returns its peak RSS in MB. */
async function peakRssMb(action: "bundle" | "unbundle", args: Record<string, string>): Promise<number> {
  const script = `
    const b = await import(${JSON.stringify(join(repo, "kernel/src/bundle/index.ts"))});
    const { FileVideoSource } = await import(${JSON.stringify(join(repo, "kernel/src/export/video-source.ts"))});
    const a = ${JSON.stringify(args)};
    if (${JSON.stringify(action)} === "bundle") {
      await b.createBundle(a.exportDir, a.out, { sealing: { recipients: [a.recipient] }, source: await FileVideoSource.open(a.library) });
    } else {
      await b.unbundle(a.out, a.target, { opening: { identities: await b.readIdentityFile(a.key) } });
    }
    process.stdout.write(String(process.resourceUsage().maxRSS / 1024));`;
  const { stdout } = await run(process.execPath, ["--conditions=trainset-source", "--import", "tsx", "--input-type=module", "-e", script], { cwd: repo, maxBuffer: 1 << 20 });
  return Number(stdout.trim());
}

describe("bundle memory", function () {
  this.timeout(600_000);
  const tmp = useTempDir();

  it("stays bounded: bundling and unbundling 300 MB peaks within 100 MB of a 30 kB export", async () => {
    const key = join(tmp(), "key.txt");
    const { recipient } = await generateKeyFile(key);
    const small = await makeExport(join(tmp(), "small"), { frames: 3, frameBytes: 10_000 });
    const large = await makeExport(join(tmp(), "large"), { frames: 150, frameBytes: 2_000_000 });
    const peaks: Record<string, number> = {};
    for (const [name, made] of [["small", small], ["large", large]] as const) {
      const args = { exportDir: made.exportDir, library: made.library, recipient, key, out: join(tmp(), `${name}.tar.age`), target: join(tmp(), `${name}-out`) };
      peaks[`bundle-${name}`] = await peakRssMb("bundle", args);
      peaks[`unbundle-${name}`] = await peakRssMb("unbundle", args);
    }
    const growth = (action: string): number => (peaks[`${action}-large`] ?? Infinity) - (peaks[`${action}-small`] ?? 0);
    assert.ok(growth("bundle") < 100, `bundle RSS grew by ${growth("bundle").toFixed(0)} MB for 300 MB more data (${JSON.stringify(peaks)})`);
    assert.ok(growth("unbundle") < 100, `unbundle RSS grew by ${growth("unbundle").toFixed(0)} MB for 300 MB more data (${JSON.stringify(peaks)})`);
  });
});
