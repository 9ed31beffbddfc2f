/**
 * Every path a request names must resolve inside the server's configured roots: no `..`, no
 * absolute path elsewhere, no percent-encoded dots or slashes, and no symlink that leads out
 * (checked on the real path of the deepest part that exists). A refused path is a 400 and the
 * request touches nothing.
 */
import { realpath } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { systemErrorCode } from "../util/errors.js";
import { HttpProblem } from "./problem.js";

/** Title of the problem a refused path answers. */
export const PATH_REFUSED_TITLE = "Path Not Allowed";

const ENCODED = /%(2e|2f|5c|00)/i;

function refuse(field: string, value: string, why: string): never {
  throw new HttpProblem(400, PATH_REFUSED_TITLE, `${field} "${value}" is refused: ${why}`, { field });
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

async function realpathOfExisting(target: string): Promise<string> {
  const tail: string[] = [];
  let current = target;
  for (;;) {
    try {
      const real = await realpath(current);
      return tail.length === 0 ? real : join(real, ...tail.reverse());
    } catch (error) {
      const code = systemErrorCode(error);
      if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
      const parent = resolve(current, "..");
      if (parent === current) return target;
      tail.push(current.slice(parent.length).replace(/^[/\\]+/, ""));
      current = parent;
    }
  }
}

/** Checks request paths against a fixed list of roots. */
export class PathGuard {
  private constructor(
    /** Roots as configured (absolute). */
    readonly roots: readonly string[],
    private readonly realRoots: readonly string[],
  ) {}

  /**
   * Resolves the roots (they must exist) once at start.
   * @example const guard = await PathGuard.create(["/data/exports"]);
   */
  static async create(roots: readonly string[]): Promise<PathGuard> {
    if (roots.length === 0) throw new RangeError("PathGuard needs at least one root folder");
    const abs = roots.map((r) => resolve(r));
    return new PathGuard(abs, await Promise.all(abs.map((r) => realpath(r))));
  }

  /**
   * The absolute real path of `value` (relative paths resolve against the first root); throws a
   * 400 HttpProblem naming `field` when it is empty, encoded, uses `..` or lands outside every root.
   * @example await guard.resolve("exports/video_1", "output_dir")
   */
  async resolve(value: string, field: string): Promise<string> {
    if (value.trim() === "") refuse(field, value, "it is empty");
    if (value.includes("\0")) refuse(field, value, "it contains a NUL character");
    if (value.includes("\\")) refuse(field, value, "it contains a backslash");
    if (ENCODED.test(value)) refuse(field, value, "it contains percent-encoded dots, slashes or NUL");
    if (value.split("/").includes("..")) refuse(field, value, 'it contains ".."');
    const base = this.roots[0] as string;
    const target = isAbsolute(value) ? resolve(value) : resolve(base, value);
    if (!this.roots.some((root) => inside(root, target))) refuse(field, value, `it is outside the allowed roots (${this.roots.join(", ")})`);
    const real = await realpathOfExisting(target);
    if (!this.realRoots.some((root) => inside(root, real))) refuse(field, value, "it leads outside the allowed roots through a symbolic link");
    return real;
  }
}
