import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../../support/cli.js";
import { useTempDir } from "../../support/tmp.js";
import { makeHeadRun } from "../models/model-fixtures.js";

describe("trainset annotations / models / audit / preflight / advice / analyze", () => {
  const tmp = useTempDir();
  const cli = (args: string[]): ReturnType<typeof runCli> => runCli([...args, "--store", join(tmp(), "store")], { cwd: tmp(), env: {} });

  it("stores a batch file, prints stats and refuses a bad rating with the seed's message and exit 1", async () => {
    await writeFile(join(tmp(), "batch.json"), JSON.stringify({ annotations: [{ framePath: "frame001.jpg", rating: 0.9 }, { framePath: "frame002.jpg", rating: 0.5 }] }));
    const stored = await cli(["annotations", "store", "--file", "batch.json", "--user", "ana"]);
    assert.equal(stored.code, 0, stored.stderr);
    assert.match(stored.stdout, /Successfully uploaded 2 annotations for user ana/);
    const stats = await cli(["annotations", "stats", "--user", "ana", "--json"]);
    assert.deepEqual({ ...(JSON.parse(stats.stdout) as Record<string, unknown>), oldestAnnotation: 0, newestAnnotation: 0 }, { userId: "ana", totalAnnotations: 2, averageRating: 0.7, oldestAnnotation: 0, newestAnnotation: 0 });
    const bad = await cli(["annotations", "store", "--frame", "f.jpg", "--rating", "1.5"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Rating must be between 0.0 and 1.0, got 1.5/);
    const escape = await cli(["annotations", "get", "--user", "../../etc"]);
    assert.equal(escape.code, 1);
    assert.match(escape.stderr, /UserId "..\/..\/etc" contains a path separator/);
    const noYes = await cli(["annotations", "clear", "--user", "ana"]);
    assert.equal(noYes.code, 2);
    assert.equal((await cli(["annotations", "clear", "--user", "ana", "--yes"])).code, 0);
  });

  it("adds, deploys, refuses through the gate, forces, reverts and audits", async () => {
    await makeHeadRun(join(tmp(), "factory"), { tag: 0, test: { mae: 0.3 } });
    await makeHeadRun(join(tmp(), "r1"), { tag: 1, test: { mae: 0.1 } });
    await makeHeadRun(join(tmp(), "r2"), { tag: 2, test: { mae: 0.2 } });
    assert.equal((await cli(["models", "add", "--from", "factory", "--version", "default"])).code, 0);
    assert.match((await cli(["models", "add", "--from", "r1", "--job-id", "j1"])).stdout, /added frame-importance v1 \(trainset-head, 3 files, test.mae=0.1\)/);
    assert.equal((await cli(["models", "add", "--from", "r2"])).code, 0);
    const d1 = await cli(["models", "deploy", "v1", "--user", "ana"]);
    assert.equal(d1.code, 0, d1.stderr);
    assert.match(d1.stdout, /deployed frame-importance v1/);
    const refused = await cli(["models", "deploy", "v2", "--threshold", "0.05"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /test.mae is 0.2, worse than the active v1 \(0.1\) by 0.1 \(100%\), more than the allowed 0.05/);
    const forced = await cli(["models", "deploy", "v2", "--threshold", "0.05", "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /\(forced\)/);
    assert.match((await cli(["models", "rollback"])).stdout, /restored frame-importance v1 \(previous v2\)/);
    assert.match((await cli(["models", "revert"])).stdout, /reverted to frame-importance default/);
    const list = await cli(["models", "list"]);
    assert.match(list.stdout, /frame-importance: active default/);
    assert.match(list.stdout, / {2}v1 .* job j1/);
    const stats = JSON.parse((await cli(["audit", "stats", "--json"])).stdout) as { byAction: Record<string, number>; byOutcome: Record<string, number> };
    assert.deepEqual(stats.byAction, { deploy: 3, restore: 1, revert: 1 });
    assert.deepEqual(stats.byOutcome, { success: 4, failure: 1, cancelled: 0 });
    const history = await cli(["audit", "history", "--outcome", "failure"]);
    assert.match(history.stdout, /deploy {3}failure .*error: Cannot deploy model "frame-importance" version "v2"/);
    const run = await cli(["analyze", "r2"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /recommendation: (Accept|Accept with caution|Revert) \(quality score -?\d+\)/);
  });

  it("blocks with the seed's error body in preflight --json and exits 1", async () => {
    const r = await cli(["preflight", "--annotations", "5", "--json"]);
    assert.equal(r.code, 1);
    const body = JSON.parse(r.stdout) as { problem: { title: string; status: number; errors: string[] } };
    assert.equal(body.problem.title, "System Requirements Not Met");
    assert.equal(body.problem.status, 400);
    assert.ok(body.problem.errors.includes("Insufficient training data - minimum 20 annotations required, 100+ recommended"));
  });

  it("gives rating advice", async () => {
    await cli(["annotations", "store", "--frame", "a.jpg", "--rating", "0.9"]);
    const r = await cli(["advice", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { ratings: { ratingDistribution: Record<string, number> } };
    assert.equal(report.ratings.ratingDistribution["High (0.7-1.0)"], 1);
  });

  it("documents every option in --help", async () => {
    const expectations: Record<string, string[]> = {
      annotations: ["--store", "--user", "--json", "--file", "--frame", "--rating", "--metadata", "--limit", "--yes"],
      models: ["--model", "--from", "--version", "--job-id", "--notes", "--force", "--metric", "--threshold", "--higher-is-better", "--lower-is-better"],
      preflight: ["--annotations", "--store"],
      audit: ["--action", "--outcome", "--model", "--job-id", "--since", "--until", "--limit"],
      advice: ["--dataset", "--format", "--images", "--candidates", "--model", "--model-dir", "--top"],
      analyze: ["--store", "--model", "--estimate", "--json"],
    };
    for (const [command, flags] of Object.entries(expectations)) {
      const r = await runCli([command, "--help"]);
      for (const flag of flags) assert.ok(r.stdout.includes(flag), `${command} --help lacks ${flag}`);
    }
  });
});
