import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LineIndex } from "../../../extension/src/editors/jsonl/line-index.js";
import { JsonlModel, reviewLine } from "../../../extension/src/editors/jsonl/jsonl-model.js";
import { useTempDir } from "../../support/tmp.js";

describe("JsonlModel", () => {
  const dir = useTempDir();

  it("indexes lines, keeps a broken line and a last line without a newline", async () => {
    const path = join(dir(), "a.jsonl");
    await writeFile(path, '{"a":1}\n{"a":2, broken\n{"a":3,"x":"é"}');
    const model = await JsonlModel.open(path);
    await model.indexed;
    assert.equal(model.index.count, 3);
    assert.deepEqual(await model.lines(0, 3), ['{"a":1}', '{"a":2, broken', '{"a":3,"x":"é"}']);
    assert.deepEqual(await model.find("", true), [1]);
    assert.deepEqual(await model.find("A\":3", false), [2]);
    await model.close();
  });

  it("marks a line reviewed and good, undoes it and saves the rest byte for byte", async () => {
    const path = join(dir(), "m.jsonl");
    const text = '{"id":"a","z":[1,2],"reviewed":false}\n{"id":"b"}\nnot json\n';
    await writeFile(path, text);
    const model = await JsonlModel.open(path);
    await model.indexed;
    const edit = await model.makeReview([0, 2], { mark: "good" });
    assert.ok(edit);
    assert.equal(edit.lines.length, 1, "the broken line is left alone");
    model.apply(edit);
    await model.save(path);
    assert.equal(await readFile(path, "utf8"), '{"id":"a","z":[1,2],"reviewed":true,"review":"good"}\n{"id":"b"}\nnot json\n');
    model.apply(edit, true);
    await model.save(path);
    assert.equal(await readFile(path, "utf8"), text);
    await model.close();
  });

  it("clears a mark with null", () => {
    assert.equal(reviewLine('{"review":"bad","reviewed":true}', { mark: null }), '{"reviewed":true}');
    assert.equal(reviewLine("[1]", { reviewed: true }), null);
  });

  it("gives the first lines with edits applied, and all of a file shorter than asked", async () => {
    const path = join(dir(), "f.jsonl");
    await writeFile(path, Array.from({ length: 5 }, (_, i) => JSON.stringify({ n: i })).join("\n") + "\n");
    const model = await JsonlModel.open(path);
    assert.deepEqual(await model.firstLines(2), ['{"n":0}', '{"n":1}']);
    const edit = await model.makeReview([1], { reviewed: true });
    assert.ok(edit);
    model.apply(edit);
    assert.deepEqual(await model.firstLines(2), ['{"n":0}', '{"n":1,"reviewed":true}']);
    assert.deepEqual(await model.firstLines(200), ['{"n":0}', '{"n":1,"reviewed":true}', '{"n":2}', '{"n":3}', '{"n":4}']);
    assert.equal(model.index.done, true);
    await model.close();
  });
});

describe("JsonlModel.open() with a hold", () => {
  const dir = useTempDir();

  it("stops after the first chunk that completes the asked lines and goes on once released", async () => {
    const path = join(dir(), "big.jsonl");
    // 20,000 lines of 33 bytes: 660 KB, more than the first 256 KB chunk.
    await writeFile(path, Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ n: String(i).padStart(24, "0") })).join("\n") + "\n");
    let release = (): void => undefined;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const model = await JsonlModel.open(path, { hold, holdAfterLines: 200 });
    assert.deepEqual(await model.firstLines(2), ['{"n":"000000000000000000000000"}', '{"n":"000000000000000000000001"}']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(model.index.done, false, "indexing waits for the hold");
    assert.ok(model.index.count > 200 && model.index.count < 20_000, `held at ${model.index.count} lines`);
    release();
    const index = await model.indexed;
    assert.equal(index.count, 20_000);
    assert.deepEqual(await model.lines(19_999, 20_000), ['{"n":"000000000000000000019999"}']);
    await model.close();
  });
});

describe("LineIndex.whenAvailable()", () => {
  it("waits until enough lines are indexed, and wakes every waiter once the index is done", async () => {
    const index = new LineIndex();
    const woken: string[] = [];
    const two = index.whenAvailable(2).then(() => woken.push("two"));
    const ten = index.whenAvailable(10).then(() => woken.push("ten"));
    index.push(0);
    index.push(8);
    index.notify();
    await Promise.resolve();
    assert.deepEqual(woken, [], "the second line may still be incomplete while indexing");
    index.push(16);
    index.notify();
    await two;
    assert.deepEqual(woken, ["two"]);
    index.done = true;
    index.notify();
    await ten;
    assert.deepEqual(woken, ["two", "ten"]);
    await index.whenAvailable(1000);
  });
});
