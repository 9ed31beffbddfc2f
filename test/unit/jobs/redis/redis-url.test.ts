import { strict as assert } from "node:assert";
import { reconnectDelayMs } from "../../../../kernel/src/jobs/redis/redis-connect.js";
import { isRedisQueueSpec, parseRedisUrl } from "../../../../kernel/src/jobs/redis/redis-url.js";
import { isTrainsetError } from "../../../../kernel/src/util/errors.js";

describe("parseRedisUrl()", () => {
  it("reads host, port, database, credentials and the queue parameters", () => {
    const target = parseRedisUrl("redis://ana:p%40ss@10.0.0.5:6380/2?prefix=team-a&lockMs=60000");
    assert.deepEqual(
      { ...target },
      { host: "10.0.0.5", port: 6380, db: 2, tls: false, username: "ana", password: "p@ss", display: "redis://ana:***@10.0.0.5:6380/2?prefix=team-a&lockMs=60000", prefix: "team-a", lockMs: 60000, stalledMs: 30000 },
    );
  });

  it("defaults to port 6379, database 0, prefix trainset and a 30 s lock", () => {
    const target = parseRedisUrl("rediss://queue.internal");
    assert.equal(target.port, 6379);
    assert.equal(target.db, 0);
    assert.equal(target.tls, true);
    assert.equal(target.prefix, "trainset");
    assert.equal(target.lockMs, 30000);
    assert.equal(target.stalledMs, 15000);
    assert.equal(target.password, undefined);
  });

  it("refuses other schemes, a database that is not a number and unknown parameters", () => {
    const refuses = (spec: string, message: RegExp): void =>
      assert.throws(() => parseRedisUrl(spec), (e: unknown) => isTrainsetError(e, "VALIDATION_ERROR") && message.test((e as Error).message));
    refuses("http://host:6379/0", /^Cannot use queue "http:\/\/host:6379\/0": the scheme "http:" is not redis:\/\/ or rediss:\/\/$/);
    refuses("redis://host:6379/main", /the database "main" is not a number/);
    refuses("redis://host/0?lockMs=fast", /\?lockMs=fast is not a whole number of milliseconds >= 100/);
    refuses("redis://host/0?prefix=a:b", /\?prefix=a:b may only use/);
    refuses("redis://host/0?timeout=5", /unknown parameter "timeout"/);
    refuses("redis://:secret@host:x/0", /^Cannot use queue "redis:\/\/:\*\*\*@host:x\/0": it is not a URL/);
  });
});

describe("isRedisQueueSpec()", () => {
  it("recognises redis:// and rediss:// only", () => {
    assert.deepEqual(["redis://h", "REDISS://h", "/data/queue", "file:/q"].map(isRedisQueueSpec), [true, true, false, false]);
  });
});

describe("reconnectDelayMs()", () => {
  it("doubles from 100 ms and stays at 10 s", () => {
    assert.deepEqual([1, 2, 3, 7, 8, 20].map(reconnectDelayMs), [100, 200, 400, 6400, 10000, 10000]);
  });
});
