/**
 * Python's text forms of scalars, so files trainset writes match byte for byte what the Python
 * tools (endoreg-db, lx-ai, the historical scripts) write: `1.0` not `1`, `1e-05` not `0.00001`,
 * `True`/`False`.
 */

/** `repr(float)` in CPython: shortest round-trip digits, exponent when exp < -4 or >= 16. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  // JS and Python agree on the shortest round-trip digits; only the layout differs.
  const [mantissa = "", expText = "0"] = value.toExponential().split("e");
  const exponent = Number(expText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  const fractionDigits = mantissa.split(".")[1]?.length ?? 0;
  const fixed = value.toFixed(Math.max(0, fractionDigits - exponent));
  return fixed.includes(".") ? fixed : `${fixed}.0`;
}

/** `str(bool)` in Python. */
export function pythonBool(value: boolean): string {
  return value ? "True" : "False";
}

/** Parses what Python's csv module wrote for a bool (also accepts true/false/1/0). */
export function parsePythonBool(text: string): boolean | undefined {
  switch (text.trim().toLowerCase()) {
    case "true":
    case "1":
      return true;
    case "false":
    case "0":
      return false;
    default:
      return undefined;
  }
}
