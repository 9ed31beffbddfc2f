/** A qontinui-style run-record folder made in code (real PNGs, 16-hex content ids). */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { contentId16 } from "../../../kernel/src/util/hashing.js";

/** A solid-colour PNG; different colours give different content ids. */
export async function makePng(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

/** What {@link writeRunRecordFixture} made. */
export interface RunRecordFixture {
  dir: string;
  /** Image with two boxes (template match + click), listed twice in the manifest. */
  a: string;
  /** Image with one smart-click box carrying inference_metadata. */
  b: string;
  /** Image without an annotation file. */
  c: string;
  png: Record<string, Buffer>;
}

/** Python's json.dumps separators, as qontinui writes manifest lines. */
function pyLine(value: Record<string, unknown>): string {
  return JSON.stringify(value).replace(/","/g, '", "').replace(/":/g, '": ').replace(/,"/g, ', "') + "\n";
}

/**
 * Writes the fixture into `dir` (created): 3 images, 4 manifest lines (one repeat), 2 annotation
 * files, metadata.json with correct totals.
 */
export async function writeRunRecordFixture(dir: string): Promise<RunRecordFixture> {
  await mkdir(join(dir, "images"), { recursive: true });
  await mkdir(join(dir, "annotations"), { recursive: true });
  const pngA = await makePng(320, 240, [200, 10, 10]);
  const pngB = await makePng(200, 100, [10, 200, 10]);
  const pngC = await makePng(64, 48, [10, 10, 200]);
  const a = contentId16(pngA);
  const b = contentId16(pngB);
  const c = contentId16(pngC);
  await writeFile(join(dir, "images", `${a}.png`), pngA);
  await writeFile(join(dir, "images", `${b}.png`), pngB);
  await writeFile(join(dir, "images", `${c}.png`), pngC);
  const line = (id: string, extra: Record<string, unknown>): string =>
    pyLine({
      id,
      image: `images/${id}.png`,
      annotations: `annotations/${id}.json`,
      action_id: "click-button-123",
      action_type: "CLICK",
      timestamp: 1700000000.5,
      active_states: ["Login", "MainMenu"],
      source: "runner_execution",
      is_new: true,
      reviewed: false,
      ...extra,
    });
  await writeFile(
    join(dir, "manifest.jsonl"),
    line(a, {}) +
      line(b, { action_id: "find-icon-7", action_type: "FIND", active_states: [] }) +
      line(a, { is_new: false, timestamp: 1700000100.25, reviewed: true, session: "s2" }) +
      line(c, { action_id: null, action_type: null }),
  );
  // Written the way Python's json.dump(indent=2) does, floats included.
  await writeFile(
    join(dir, "annotations", `${a}.json`),
    `{
  "image_id": "${a}",
  "image_filename": "${a}.png",
  "image_width": 320,
  "image_height": 240,
  "annotations": [
    {
      "bbox": [100, 50, 120, 60],
      "category_id": 0,
      "category_name": "login_button",
      "confidence": 0.95,
      "source": "template_matching",
      "verified": false
    },
    {
      "bbox": [270, 190, 50, 50],
      "category_id": 1,
      "category_name": "click_target",
      "confidence": 1.0,
      "source": "user_click",
      "verified": true
    }
  ],
  "context": {
    "action_type": "CLICK",
    "active_states": ["Login", "MainMenu"],
    "timestamp": 1700000000.5,
    "success": true
  },
  "version": "1.0.0"
}
`,
  );
  await writeFile(
    join(dir, "annotations", `${b}.json`),
    JSON.stringify(
      {
        image_id: b,
        image_filename: `${b}.png`,
        image_width: 200,
        image_height: 100,
        annotations: [
          {
            bbox: [10.5, 20.25, 30, 15],
            category_id: 2,
            category_name: "click_target_button",
            confidence: 0.82,
            source: "smart_click_analysis",
            verified: true,
            inference_metadata: { strategy_used: "edge_detection", element_type: "button", used_fallback: false, processing_time_ms: 12.5, alternatives_count: 2 },
          },
        ],
        context: { action_type: "FIND", active_states: [], timestamp: 1700000050, success: false },
        version: "1.0.0",
        reviewer_note: "kept on round trip",
      },
      null,
      2,
    ),
  );
  await writeFile(
    join(dir, "metadata.json"),
    JSON.stringify(
      {
        dataset_version: "1.0.0",
        created: "2025-11-24T12:00:00",
        total_images: 3,
        total_annotations: 3,
        category_map: { login_button: 0, click_target: 1, click_target_button: 2 },
        categories: [
          { id: 0, name: "login_button" },
          { id: 1, name: "click_target" },
          { id: 2, name: "click_target_button" },
        ],
        statistics: {
          total_records_processed: 5,
          records_with_screenshots: 4,
          records_with_matches: 1,
          records_with_clicks: 2,
          skipped_records: 1,
          export_time_seconds: 5.3,
        },
        format: "intermediate",
        description: "Training dataset exported from qontinui-runner execution data",
      },
      null,
      2,
    ),
  );
  return { dir, a, b, c, png: { [a]: pngA, [b]: pngB, [c]: pngC } };
}
