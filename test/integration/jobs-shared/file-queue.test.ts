import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openFileJobQueue } from "../../../kernel/src/jobs/file-queue.js";
import { describeJobQueueSuite } from "./job-queue-suite.js";

describe("file queue", () => {
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  describeJobQueueSuite("file", {
    async fresh() {
      const storeRoot = await mkdtemp(join(tmpdir(), "trainset-shared-"));
      dirs.push(storeRoot);
      const open = () => openFileJobQueue(join(storeRoot, "jobs"), { pollMs: 25 });
      return { queue: await open(), storeRoot, reopen: open };
    },
  });
});
