import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { parsePythonBool, pythonFloatRepr } from "trainset";

const SAMPLES = [0, -0, 1, -1, 0.5, 1 / 3, 2 / 3, 0.1, 1e-4, 1e-5, 1.5e-5, 123456.789, 1e15, 1e16, 1.2345e17, 9007199254740992, 0.000123, 1e-300, 5e-324, 1.7976931348623157e308, 42.0, 3.14159, -2.5e-7];

describe("pythonFloatRepr()", () => {
  it("matches CPython's repr(float) on a spread of values", function () {
    if (!/^\//.test(process.env.PYTHON ?? "/usr/bin/python3")) this.skip();
    const python = process.env.PYTHON ?? "/usr/bin/python3";
    const expected = execFileSync(python, ["-c", `import json,sys\nfor v in json.loads(sys.argv[1]): print(repr(float(v)))`, JSON.stringify(SAMPLES)], { encoding: "utf8" })
      .trim()
      .split("\n");
    // JSON cannot carry -0; Python prints 0.0 for it from JSON, so compare that one separately.
    assert.deepEqual(SAMPLES.map((v) => pythonFloatRepr(Object.is(v, -0) ? 0 : v)), expected);
    assert.equal(pythonFloatRepr(-0), "-0.0");
  });

  it("writes nan and the infinities as Python does", () => {
    assert.deepEqual([NaN, Infinity, -Infinity].map(pythonFloatRepr), ["nan", "inf", "-inf"]);
  });
});

describe("parsePythonBool()", () => {
  it("reads True/False and common spellings, and nothing else", () => {
    assert.deepEqual(["True", "False", "true", "0", "1", "yes", ""].map(parsePythonBool), [true, false, true, false, true, undefined, undefined]);
  });
});
