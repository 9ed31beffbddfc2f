/** Finding a COCO image's file and placing it in a run-record folder (hard link or copy, atomically). */
import { copyFile, link, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { ioError, systemErrorCode, TrainsetError } from "../util/errors.js";
import type { CocoImage } from "./coco.js";

/** The path of a COCO image's file under `images`: its `file_name`, else its base name alone. */
export async function resolveImage(images: string, image: CocoImage): Promise<string> {
  const direct = join(images, image.file_name);
  try {
    if ((await stat(direct)).isFile()) return direct;
  } catch (error) {
    if (systemErrorCode(error) !== "ENOENT" && systemErrorCode(error) !== "ENOTDIR") throw ioError("read image", direct, error);
  }
  const flat = join(images, basename(image.file_name));
  try {
    if (flat !== direct && (await stat(flat)).isFile()) return flat;
  } catch (error) {
    if (systemErrorCode(error) !== "ENOENT") throw ioError("read image", flat, error);
  }
  throw new TrainsetError("NOT_FOUND", `Cannot convert COCO image ${JSON.stringify(image.id)}: "${image.file_name}" is not in "${images}"${flat === direct ? "" : ` (nor is "${basename(image.file_name)}")`}`, { file: direct, field: "file_name" });
}

/** Puts `source` at `target` unless something is there already (same content id, same bytes). */
export async function placeImage(source: string, target: string, hardLink: boolean): Promise<void> {
  try {
    await stat(target);
    return; // same content already there
  } catch (error) {
    if (systemErrorCode(error) !== "ENOENT") throw ioError("write", target, error);
  }
  const temp = `${target}.${process.pid}.tmp`;
  try {
    if (hardLink) {
      try {
        await link(source, temp);
      } catch (error) {
        const code = systemErrorCode(error);
        if (code !== "EXDEV" && code !== "EPERM" && code !== "ENOTSUP") throw error;
        await copyFile(source, temp);
      }
    } else {
      await copyFile(source, temp);
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw ioError("write", target, error);
  }
}
