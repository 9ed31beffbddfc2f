import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRedisJobQueue } from "../../../kernel/src/jobs/redis/redis-queue.js";
import { useRedisServer } from "../../support/redis-server.js";
import { describeJobQueueSuite } from "./job-queue-suite.js";

describe("Redis queue", () => {
  const redis = useRedisServer();
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  describeJobQueueSuite("redis", {
    async fresh() {
      const storeRoot = await mkdtemp(join(tmpdir(), "trainset-shared-"));
      dirs.push(storeRoot);
      // A fresh key prefix per test: an empty queue on the same server.
      const url = `${redis().url}?prefix=t${randomBytes(4).toString("hex")}&lockMs=2000`;
      const open = () => openRedisJobQueue(url);
      return { queue: await open(), storeRoot, reopen: open };
    },
  });
});
