/**
 * A qontinui run-record folder (manifest.jsonl + images/ + annotations/ + metadata.json) as a
 * split source: one sample per manifest line, grouped by image `id` by default (repeated lines of
 * one screenshot stay together), labels = the categories in the image's annotation file. Each
 * split is written as a run-record folder of its own: its manifest lines, hard links (or copies)
 * of its images and annotation files, and metadata.json with the split's totals.
 */
import { copyFile, link, mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { readRunRecordDataset } from "../../formats/run-record-dataset.js";
import {
  formatRunRecordManifestLine,
  writeRunRecordMetadata,
  type RunRecordManifestLine,
} from "../../formats/run-record.js";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { ioError, systemErrorCode } from "../../util/errors.js";
import type { SplitRow } from "../group-table.js";
import {
  fieldList,
  groupOf,
  labelsOf,
  imageRef,
  requireSomeRows,
  type SplitSource,
  type SplitSourceOptions,
} from "./split-source.js";

/** Places `from` at `to` as a hard link (cheap, same bytes), or a copy across filesystems; atomic. */
async function placeFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const temp = `${to}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    try {
      await link(from, temp);
    } catch (error) {
      const code = systemErrorCode(error);
      if (code !== "EXDEV" && code !== "EPERM" && code !== "ENOTSUP" && code !== "EMLINK")
        throw error;
      await copyFile(from, temp);
    }
    await rename(temp, to);
  } catch (error) {
    await rm(temp, { force: true });
    throw ioError("place", to, error);
  }
}

/**
 * Reads a run-record folder for splitting (strict: the first problem throws with file and line).
 * @example const source = await readRunRecordSource("datasets/session_001");
 */
export async function readRunRecordSource(
  input: string,
  options: SplitSourceOptions = {},
): Promise<SplitSource> {
  const dataset = await readRunRecordDataset(input, { checkImageSizes: false });
  const groupFields = fieldList(options.groupBy ?? "id", "--group-by");
  const labelFields =
    options.labels === undefined ? undefined : fieldList(options.labels, "--labels");
  const lines: RunRecordManifestLine[] = dataset.manifest;
  const rows: SplitRow[] = lines.map(({ entry, line }) => {
    const where = { text: `manifest.jsonl line ${line}`, line };
    const record = entry as unknown as Record<string, unknown>;
    const labels =
      labelFields === undefined
        ? [
            ...new Set(
              (dataset.annotationFiles.get(entry.id)?.annotations ?? []).map(
                (a) => a.category_name,
              ),
            ),
          ].sort()
        : labelsOf(record, labelFields, join(input, "manifest.jsonl"), where);
    return { group: groupOf(record, groupFields, join(input, "manifest.jsonl"), where), labels };
  });
  requireSomeRows(rows, input, "manifest lines");
  const root = resolve(options.images ?? input);
  return {
    format: "run-record",
    input,
    groupBy: groupFields.join(","),
    labelSource:
      labelFields === undefined ? "categories of the annotation files" : labelFields.join(","),
    unit: "records",
    rows,
    images: (i) => {
      const name = lines[i]?.entry.image ?? "";
      return [imageRef(root, name)];
    },
    async write(outDir, splits, assignments) {
      const paths: string[] = [];
      for (let k = 0; k < splits.length; k++) {
        const dir = join(outDir, splits[k] ?? "");
        const mine = lines.filter((_, i) => assignments[i] === k);
        const placed = new Set<string>();
        let boxes = 0;
        for (const { entry } of mine) {
          if (placed.has(entry.id)) continue;
          placed.add(entry.id);
          await placeFile(join(input, entry.image), join(dir, entry.image));
          const file = dataset.annotationFiles.get(entry.id);
          if (file !== undefined) {
            await placeFile(join(input, entry.annotations), join(dir, entry.annotations));
            boxes += file.annotations.length;
          }
        }
        const manifest = join(dir, "manifest.jsonl");
        await writeFileAtomic(
          manifest,
          mine.map(({ entry }) => formatRunRecordManifestLine(entry)).join(""),
        );
        if (dataset.metadata !== undefined) {
          await writeRunRecordMetadata(join(dir, "metadata.json"), {
            ...dataset.metadata,
            total_images: placed.size,
            total_annotations: boxes,
          });
        }
        paths.push(manifest);
      }
      return paths;
    },
  };
}
