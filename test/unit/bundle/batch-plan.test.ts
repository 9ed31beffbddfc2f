import assert from "node:assert/strict";
import { BatchPlanner, type BatchSegment, type PlannedBatch } from "trainset";

/** [offset, length] of each segment, and whether they tile the batch. */
function layout(b: PlannedBatch): Array<[number, number]> {
  const spans = b.segments.map((s: BatchSegment): [number, number] => [s[1], s[0] === 0 ? s[2].length : s[2]]);
  let at = 0;
  for (const [offset, length] of spans) {
    assert.equal(offset, at, `batch ${b.seq}: segment at ${offset}, expected ${at}`);
    at += length;
  }
  assert.equal(at, b.length, `batch ${b.seq}: segments cover ${at} of ${b.length} bytes`);
  return spans;
}

describe("BatchPlanner", () => {
  it("cuts bytes and files into full batches that the segments tile, and a shorter last one", () => {
    const plan = new BatchPlanner(100);
    const batches = [...plan.addBytes(new Uint8Array(30)), ...plan.addFile("a.bin", 250, 0), ...plan.addBytes(new Uint8Array(5))];
    batches.push(plan.finish());
    assert.deepEqual(
      batches.map((b) => [b.seq, b.length, b.last]),
      [
        [0, 100, false],
        [1, 100, false],
        [2, 85, true],
      ],
    );
    batches.forEach(layout);
    assert.equal(plan.position, 285);
    // The file's first segment carries the track (its worker hashes the whole file); the rest do not.
    const fileSegments = batches.flatMap((b) => b.segments.filter((s) => s[0] === 1));
    assert.deepEqual(
      fileSegments.map((s) => (s[0] === 1 ? [s[1], s[2], s[4], s[5], s[6]] : [])),
      [
        [30, 70, 0, 0, 250],
        [0, 100, 70, -1, 250],
        [0, 80, 170, -1, 250],
      ],
    );
  });

  it("holds a full batch back until more bytes follow, so the last batch is never empty", () => {
    const plan = new BatchPlanner(64);
    assert.deepEqual(plan.addBytes(new Uint8Array(64)), []);
    const last = plan.finish();
    assert.deepEqual([last.seq, last.length, last.last], [0, 64, true]);
    assert.throws(() => plan.addBytes(new Uint8Array(1)), /finished/);
    const empty = new BatchPlanner(64).finish();
    assert.deepEqual([empty.length, empty.segments], [0, []]);
  });

  it("copies inline bytes into buffers of their own, to transfer", () => {
    const plan = new BatchPlanner(8);
    const source = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const [first] = plan.addBytes(source.subarray(0, 9));
    source.fill(0);
    const segment = first?.segments[0];
    assert.ok(segment !== undefined && segment[0] === 0);
    assert.deepEqual([...segment[2]], [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(segment[2].buffer.byteLength, 8);
    assert.deepEqual(first?.transfer, [segment[2].buffer]);
    // A Buffer's slice() shares memory; the planner must still copy (two pieces of one pooled buffer).
    const pooled = Buffer.from("0123456789abcdef");
    const split = new BatchPlanner(8);
    const buffers = [...split.addBytes(pooled), split.finish()].flatMap((b) => b.transfer);
    assert.equal(new Set(buffers).size, 2);
    assert.ok(buffers.every((b) => b.byteLength === 8));
  });

  it("hands out the tracked files of the open batch for hashing on their own, once", () => {
    const plan = new BatchPlanner(100);
    const done = plan.addFile("a.bin", 120, 0);
    plan.addFile("b.bin", 10, 1);
    plan.addFile("empty.bin", 0, 2);
    plan.addFile("untracked.bin", 5);
    // a.bin started in the sent batch, whose worker hashes it; b.bin and empty.bin wait in the open one.
    assert.equal(done.length, 1);
    assert.deepEqual(plan.takeOpenHashes(), [
      [1, "b.bin", 10],
      [2, "empty.bin", 0],
    ]);
    assert.deepEqual(plan.takeOpenHashes(), []);
    const last = plan.finish();
    layout(last);
    assert.ok(last.segments.every((s) => s[0] !== 1 || s[5] === -1));
  });

  it("refuses a batch size that is not a positive integer", () => {
    assert.throws(() => new BatchPlanner(0), RangeError);
    assert.throws(() => new BatchPlanner(1.5), RangeError);
  });
});
