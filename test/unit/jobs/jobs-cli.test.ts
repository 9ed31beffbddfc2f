import { strict as assert } from "node:assert";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../../support/cli.js";
import { useTempDir } from "../../support/tmp.js";

describe("trainset jobs / worker", function () {
  this.timeout(60_000);
  const tmp = useTempDir("trainset-jobs-cli-");
  const env = { ...process.env, TRAINSET_QUEUE: "", TRAINSET_STORE: "" };
  const cli = (...argv: string[]) => runCli([...argv, "--store", join(tmp(), "store")], { cwd: tmp(), env });

  it("submits, lists, runs with a worker, shows status and logs", async () => {
    await writeFile(join(tmp(), "noop.json"), JSON.stringify({ ms: 1, steps: 2 }));
    const submit = await cli("jobs", "submit", "noop", "--config", "noop.json", "--user", "ana");
    assert.equal(submit.code, 0, submit.stderr);
    const id = submit.stdout.trim();
    assert.match(id, /^j-\d{8}-\d{9}-[0-9a-f]{8}$/);
    assert.match((await cli("jobs", "list", "--state", "queued")).stdout, new RegExp(`^${id}  Queued .* ana `));
    const worker = await cli("worker", "--once", "--quiet");
    assert.equal(worker.code, 0, worker.stderr);
    assert.match(worker.stdout, /state Completed\n$/);
    assert.doesNotMatch(worker.stdout, /progress/);
    const status = await cli("jobs", "status", id);
    assert.match(status.stdout, /state\s+Completed\n/);
    assert.match(status.stdout, /result\s+\{"steps":2,"ms":1\}/);
    const logs = await cli("jobs", "logs", id, "--after", "1");
    assert.match(logs.stdout, /^#2 \S+ state Running/);
    assert.equal((await cli("jobs", "list", "--user", "bo")).stdout, "no jobs\n");
    const follow = await cli("jobs", "logs", id, "--follow", "--json");
    assert.equal(follow.code, 0);
    assert.equal(follow.stdout.trim().split("\n").length, (JSON.parse((await cli("jobs", "status", id, "--json")).stdout) as { lastSeq: number }).lastSeq);
  });

  it("reports bad usage with exit 2 and unknown jobs with exit 1", async () => {
    const kind = await cli("jobs", "submit", "train");
    assert.equal(kind.code, 2);
    assert.match(kind.stderr, /unknown job kind "train"/);
    assert.equal((await cli("jobs", "submit", "multilabel-train")).code, 2);
    assert.match((await cli("jobs", "list", "--state", "Done")).stderr, /--state must be among Queued, Running, Completed, Failed, Cancelled/);
    const unknown = await cli("jobs", "status", "j-20260101-000000000-00000000");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Training job j-20260101-000000000-00000000 does not exist/);
    assert.equal((await cli("worker", "--concurrency", "0")).code, 2);
    assert.match((await cli("worker", "--on-stop", "later")).stderr, /--on-stop must be requeue, cancel or wait/);
  });

  it("cancels a queued job and refuses to cancel it twice", async () => {
    const id = (await cli("jobs", "submit", "noop")).stdout.trim();
    assert.equal((await cli("jobs", "cancel", id)).stdout, `${id} Cancelled\n`);
    const again = await cli("jobs", "cancel", id);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Cannot cancel job .*: it is already Cancelled/);
  });
});
