import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
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
});
