/**
 * Conversion between qontinui's run-record folder and COCO, lossless where the formats overlap:
 * boxes, category names and ids, confidence / source / verified, image sizes. What COCO has no
 * field for (the 16-hex id, the annotation file's context and version, the manifest lines,
 * metadata.json's other fields) rides along as extra COCO fields, so run-record → COCO →
 * run-record gives the same folder back; COCO's own fields beyond the overlap (segmentation,
 * a polygon area, iscrowd 1, extra keys) ride along in the annotation files the same way.
 */
export * from "./run-record-to-coco.js";
export * from "./coco-to-run-record.js";

/** A manifest line kept in a COCO image: its line number and the fields other than id/image/annotations. */
export interface StoredManifestLine {
  line: number;
  entry: Record<string, unknown>;
}
