import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { clickBox, matchBox, parseActionRecord, readActionRecords, recordBoxes, recordKey, TrainsetError, type ActionExecutionRecord } from "trainset";
import { useTempDir } from "../../../support/tmp.js";

const FULL = {
  action_id: "click-button-123",
  action_type: "CLICK",
  start_time: 1700000000.5,
  success: true,
  screenshot_reference: "screenshots/0001.png",
  match_summary: { found: true, location: { x: 100, y: 50 }, template_size: { width: 200, height: 100 }, image_id: "login_button", confidence: 0.95 },
  clicked_location: [350, 250],
  click_target_type: null,
  active_states_before: ["Login"],
  duration_ms: 12,
};

describe("parseActionRecord()", () => {
  it("reads qontinui's fields and ignores unknown ones", () => {
    const r = parseActionRecord(FULL);
    assert.equal(r.action_id, "click-button-123");
    assert.deepEqual(r.match_summary?.location, { x: 100, y: 50 });
    assert.deepEqual(r.clicked_location, [350, 250]);
    assert.equal("duration_ms" in r, false);
  });

  it("turns missing optional fields into null", () => {
    const r = parseActionRecord({});
    assert.deepEqual([r.screenshot_reference, r.match_summary, r.clicked_location, r.success], [null, null, null, null]);
    assert.deepEqual(r.active_states_before, []);
  });

  it("names file, line and field of a bad confidence", () => {
    assert.throws(
      () => parseActionRecord({ ...FULL, match_summary: { ...FULL.match_summary, confidence: 1.5 } }, { file: "records.jsonl", line: 7 }),
      (e: unknown) =>
        e instanceof TrainsetError &&
        e.line === 7 &&
        e.field === "match_summary.confidence" &&
        e.message === 'Cannot read run record "records.jsonl" line 7: match_summary.confidence is 1.5; it must be between 0 and 1',
    );
  });

  it("refuses a screenshot path that leaves the run folder", () => {
    assert.throws(() => parseActionRecord({ screenshot_reference: "../../etc/passwd" }), /screenshot_reference is "..\/..\/etc\/passwd"; it must be a path inside the run folder/);
    assert.throws(() => parseActionRecord({ screenshot_reference: "/etc/passwd" }), /must be a path inside the run folder/);
  });

  it("rejects a record that is not an object and a success that is not boolean", () => {
    assert.throws(() => parseActionRecord([1, 2], { line: 2 }), /line 2: record is \[1,2\]; it must be a JSON object/);
    assert.throws(() => parseActionRecord({ success: "yes" }), /success is "yes"/);
  });
});

describe("readActionRecords()", () => {
  const tmp = useTempDir();

  it("reports the file and line of a line that is not JSON", async () => {
    const path = join(tmp(), "records.jsonl");
    await writeFile(path, JSON.stringify(FULL) + "\n{oops\n");
    const seen: ActionExecutionRecord[] = [];
    await assert.rejects(
      (async () => {
        for await (const r of readActionRecords(path, { file: "records.jsonl" })) seen.push(r);
      })(),
      (e: unknown) => e instanceof TrainsetError && e.line === 2 && /records\.jsonl/.test(e.message),
    );
    assert.equal(seen.length, 1);
  });
});

describe("clickBox()", () => {
  it("centres a 50x50 box on the click inside the image", () => {
    assert.deepEqual(clickBox(350, 250, 1920, 1080), [325, 225, 50, 50]);
  });

  it("clamps at the top-left edge by moving the origin, as qontinui does", () => {
    assert.deepEqual(clickBox(10, 3, 1920, 1080), [0, 0, 50, 50]);
  });

  it("shrinks the box at the right and bottom edges", () => {
    assert.deepEqual(clickBox(1915, 1070, 1920, 1080), [1890, 1045, 30, 35]);
  });

  it("gives no box for a click outside the image", () => {
    assert.equal(clickBox(2000, 10, 1920, 1080), undefined);
  });
});

describe("matchBox() and recordBoxes()", () => {
  it("clips a match to the image and drops one that was not found", () => {
    const m = { found: true, location: { x: 1900, y: -5 }, template_size: { width: 40, height: 20 }, image_id: "x", confidence: 0.5 };
    assert.deepEqual(matchBox(m, 1920, 1080), [1900, 0, 20, 15]);
    assert.equal(matchBox({ ...m, found: false }, 1920, 1080), undefined);
  });

  it("names the click box after click_target_type when there is one", () => {
    const boxes = recordBoxes(parseActionRecord({ ...FULL, click_target_type: "icon" }), 1920, 1080);
    assert.deepEqual(boxes.map((b) => [b.category_name, b.source, b.verified, b.confidence]), [
      ["login_button", "template_matching", false, 0.95],
      ["icon", "user_click", true, 1],
    ]);
  });
});

describe("recordKey()", () => {
  it("is 16 hex characters and changes with the action id", () => {
    const a = parseActionRecord(FULL);
    assert.match(recordKey(a), /^[0-9a-f]{16}$/);
    assert.notEqual(recordKey(a), recordKey({ ...a, action_id: "other" }));
    assert.equal(recordKey(a), recordKey(parseActionRecord({ ...FULL, success: false })));
  });
});
