import assert from "node:assert/strict";
import { explainUnparsedName, formatPythonList, parseImageName, parsePythonList, tryParsePythonList } from "../../../kernel/src/historical/index.js";
import { TrainsetError } from "../../../kernel/src/util/errors.js";

describe("parseImageName()", () => {
  it("reads timestamp and stage from the plain form", () => {
    assert.deepEqual(parseImageName("20250708_060711_stage2.png"), { timestamp: "20250708_060711", stage: 2, suffix: null, ext: "png" });
  });

  it("keeps the known suffixes and any unknown one as data", () => {
    assert.equal(parseImageName("20250708_060711_stage2_upscaled.png")?.suffix, "upscaled");
    assert.equal(parseImageName("20250708_060711_stage3_enhanced.png")?.suffix, "enhanced");
    assert.equal(parseImageName("20250708_060711_stage3_face_fix.v2.webp")?.suffix, "face_fix.v2");
  });

  it("reads fractional stages and lower-cases the extension", () => {
    assert.deepEqual(parseImageName("20250708_060711_stage1.5.JPEG"), { timestamp: "20250708_060711", stage: 1.5, suffix: null, ext: "jpeg" });
    assert.deepEqual(parseImageName("20250708_060711_stage10_x.jpg"), { timestamp: "20250708_060711", stage: 10, suffix: "x", ext: "jpg" });
  });

  it("refuses names the seed's unanchored regex would have accepted", () => {
    assert.equal(parseImageName("20250708_060711_stage2 (1).png"), undefined);
    assert.equal(parseImageName("20250708_060711_stage2-copy.png"), undefined);
    assert.equal(parseImageName("x20250708_060711_stage2.png"), undefined);
  });

  it("refuses impossible dates and times", () => {
    assert.equal(parseImageName("20251340_060711_stage2.png"), undefined);
    assert.equal(parseImageName("20250708_250000_stage2.png"), undefined);
    assert.equal(parseImageName("20250732_060711_stage2.png"), undefined);
  });

  it("refuses names without a stage or an extension", () => {
    assert.equal(parseImageName("20250708_060711_final.png"), undefined);
    assert.equal(parseImageName("20250708_060711_stage2"), undefined);
    assert.equal(parseImageName("IMG_1234.png"), undefined);
  });
});

describe("explainUnparsedName()", () => {
  it("says which part of the name is wrong", () => {
    assert.match(explainUnparsedName("IMG_1234.png"), /timestamp/);
    assert.match(explainUnparsedName("20251340_060711_stage1.png"), /not a valid date/);
    assert.match(explainUnparsedName("20250708_060711_final.png"), /no _stage<N>/);
    assert.match(explainUnparsedName("20250708_060711_stage2 (1).png"), /after the stage number/);
  });
});

describe("parsePythonList()", () => {
  it("reads the seed's CSV cells with and without spaces", () => {
    assert.deepEqual(parsePythonList("['/a.png','/b.png']"), ["/a.png", "/b.png"]);
    assert.deepEqual(parsePythonList("['/a.png', '/b.png']"), ["/a.png", "/b.png"]);
    assert.deepEqual(parsePythonList("[1.0,3.0]"), [1, 3]);
    assert.deepEqual(parsePythonList("[1.5, 2, -3e1]"), [1.5, 2, -30]);
    assert.deepEqual(parsePythonList("[]"), []);
  });

  it("reads double-quoted strings, escapes, JSON lists, tuples and pathlib reprs", () => {
    assert.deepEqual(parsePythonList(`["it's.png", 'a\\'b.png', 'c\\\\d.png']`), ["it's.png", "a'b.png", "c\\d.png"]);
    assert.deepEqual(parsePythonList('["x.png","y\\u00e9.png"]'), ["x.png", "yé.png"]);
    assert.deepEqual(parsePythonList("('a.png',)"), ["a.png"]);
    assert.deepEqual(parsePythonList("[PosixPath('/r/a.png'), PosixPath('/r/b.png')]"), ["/r/a.png", "/r/b.png"]);
  });

  it("throws a PARSE_ERROR for text that is not a list", () => {
    assert.throws(() => parsePythonList("['a.png'"), (e: unknown) => e instanceof TrainsetError && e.code === "PARSE_ERROR");
    assert.throws(() => parsePythonList("a.png"), TrainsetError);
    const result = tryParsePythonList("['a.png' 'b.png']");
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.reason, /expected , or \] at character 10/);
  });
});

describe("formatPythonList()", () => {
  it("writes what Python's ast.literal_eval reads back, in the seed's spacing", () => {
    assert.equal(formatPythonList(["/a.png", "/b.png"]), "['/a.png','/b.png']");
    assert.equal(formatPythonList([1, 3, 1.5]), "[1.0,3.0,1.5]");
    assert.equal(formatPythonList(["it's.png"]), `["it's.png"]`);
    assert.equal(formatPythonList(["a'b\"c.png"]), `['a\\'b"c.png']`);
  });

  it("round-trips through parsePythonList", () => {
    const values = ["plain.png", "it's.png", 'quote"d.png', "back\\slash.png", "tab\there.png"];
    assert.deepEqual(parsePythonList(formatPythonList(values)), values);
  });
});
