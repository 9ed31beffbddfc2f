/** Where a COCO image's file is, and whether the webview may load it (inside the dataset folder only). */
import { existsSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";

/** True when `path` is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * The file of `fileName` under `root`: `root/fileName`, `root/images/fileName`, then the base name
 * in both; null when none exists or the path leaves `root` (`../`, absolute paths elsewhere).
 */
export function locateImage(root: string, fileName: string): string | null {
  const tries = [resolve(root, fileName), join(root, "images", fileName), join(root, basename(fileName)), join(root, "images", basename(fileName))];
  for (const path of tries) {
    if (isInside(root, path) && existsSync(path)) return path;
  }
  return null;
}
