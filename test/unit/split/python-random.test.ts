import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPythonRandom, pythonRound } from "trainset";

const PYTHON = "/usr/bin/python3";

function python(script: string, input: unknown): unknown {
  return JSON.parse(
    execFileSync(PYTHON, ["-c", script], { input: JSON.stringify(input), encoding: "utf8" }),
  ) as unknown;
}

describe("createPythonRandom()", () => {
  it("shuffles exactly like CPython's random.Random(seed).shuffle for small and large seeds", () => {
    const cases = [0, 1, 42, 1234, 2 ** 31, 2 ** 32 + 5, 9007199254740991].flatMap((seed) =>
      [1, 2, 7, 100, 1261].map((n) => ({ seed, n })),
    );
    const expected = python(
      "import json,random,sys\nout=[]\nfor c in json.load(sys.stdin):\n  x=list(range(c['n']))\n  random.Random(c['seed']).shuffle(x)\n  out.append(x)\nprint(json.dumps(out))",
      cases,
    ) as number[][];
    cases.forEach((c, i) => {
      const ours = createPythonRandom(c.seed).shuffle(Array.from({ length: c.n }, (_, k) => k));
      assert.deepEqual(ours, expected[i], `seed ${c.seed}, n ${c.n}`);
    });
  });

  it("returns the same getrandbits() and random() stream as CPython", () => {
    const expected = python(
      "import json,random,sys\nr=random.Random(json.load(sys.stdin))\nprint(json.dumps([r.getrandbits(k) for k in (1,5,17,31,32)]+[r.random() for _ in range(3)]))",
      20240601,
    ) as number[];
    const rng = createPythonRandom(20240601);
    assert.deepEqual(
      [
        ...[1, 5, 17, 31, 32].map((k) => rng.getrandbits(k)),
        rng.random(),
        rng.random(),
        rng.random(),
      ],
      expected,
    );
  });
});

describe("pythonRound()", () => {
  it("rounds halves to even and everything else to the nearest integer, as Python 3 does", () => {
    const xs = [
      0.5,
      1.5,
      2.5,
      3.5,
      -0.5,
      -1.5,
      2.4999999,
      2.5000001,
      0.1 * 25,
      0.1 * 35,
      0.2 * 1261,
      0.1 * 1261,
    ];
    const expected = python(
      "import json,sys\nprint(json.dumps([round(x) for x in json.load(sys.stdin)]))",
      xs,
    ) as number[];
    assert.deepEqual(xs.map(pythonRound), expected);
  });
});
