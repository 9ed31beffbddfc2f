/**
 * Bench `coco` (issue 3): load + index + validate a COCO file at COCO-2017-train scale
 * (118,287 images, 860,001 boxes, 80 categories), trainset with validation on — loadCoco (one
 * pass) and the three calls readCoco + indexCoco + validateCoco — against what pycocotools does
 * on `COCO(path)` (json.load + createIndex), reproduced in bench/peers/coco_load.py because
 * pycocotools itself is not installed.
 *
 * Run as a module by the bench runner; run as a script (`node bench/coco.ts load|separate <file>`
 * after compiling, or through tsx) it is the trainset side of the measurement.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { formatSeconds, median, runMeasured, SYSTEM_PYTHON, writeStreamed, type BenchEntry, type BenchRow, type MeasuredRun } from "./harness.js";
import { seededRandom } from "trainset";

const GENERATOR_VERSION = 1;
const REPEATS = 3;

/** COCO 2017's 80 category ids (1..90 with gaps) and a few of its names. */
const CATEGORY_IDS = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
  42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81,
  82, 84, 85, 86, 87, 88, 89, 90,
];
const SUPERCATEGORIES = ["person", "vehicle", "outdoor", "animal", "accessory", "sports", "kitchen", "food", "furniture", "electronic", "appliance", "indoor"];

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Writes the synthetic COCO train file (≈ COCO 2017 train without long polygons). */
async function generateCoco(path: string, images: number, boxes: number): Promise<void> {
  const rand = seededRandom(2017);
  await writeStreamed(path, async (write) => {
    await write('{"info": {"description": "COCO 2017 Dataset (synthetic, trainset bench)", "url": "http://cocodataset.org", "version": "1.0", "year": 2017, "contributor": "COCO Consortium", "date_created": "2017/09/01"}, "licenses": [');
    for (let l = 1; l <= 8; l++) {
      await write(`${l > 1 ? ", " : ""}{"url": "http://creativecommons.org/licenses/by-nc-sa/2.0/", "id": ${l}, "name": "Attribution-NonCommercial-ShareAlike License ${l}"}`);
    }
    await write('], "images": [');
    const imageIds: number[] = [];
    const sizes: Array<[number, number]> = [];
    for (let i = 0; i < images; i++) {
      const id = 9 + Math.floor(i * 4.9) + Math.floor(rand() * 4);
      const width = rand() < 0.7 ? 640 : 426 + Math.floor(rand() * 214);
      const height = rand() < 0.6 ? 480 : 320 + Math.floor(rand() * 320);
      imageIds.push(id);
      sizes.push([width, height]);
      const name = String(id).padStart(12, "0");
      const day = 1 + Math.floor(rand() * 28);
      const image =
        `{"license": ${1 + Math.floor(rand() * 8)}, "file_name": "${name}.jpg", "coco_url": "http://images.cocodataset.org/train2017/${name}.jpg", ` +
        `"height": ${height}, "width": ${width}, "date_captured": "2013-11-${String(day).padStart(2, "0")} 1${Math.floor(rand() * 10)}:${String(Math.floor(rand() * 60)).padStart(2, "0")}:${String(Math.floor(rand() * 60)).padStart(2, "0")}", ` +
        `"flickr_url": "http://farm${1 + Math.floor(rand() * 9)}.staticflickr.com/${Math.floor(rand() * 9000)}/${Math.floor(rand() * 1e10)}_${Math.floor(rand() * 1e8).toString(16)}_z.jpg", "id": ${id}}`;
      await write((i === 0 ? "" : ", ") + image);
    }
    await write('], "annotations": [');
    let annId = 1000;
    for (let a = 0; a < boxes; a++) {
      const imageIndex = Math.floor((a / boxes) * images);
      const [width, height] = sizes[imageIndex] ?? [640, 480];
      const w = round2(4 + rand() * (width / 2));
      const h = round2(4 + rand() * (height / 2));
      const x = round2(rand() * (width - w));
      const y = round2(rand() * (height - h));
      const category = CATEGORY_IDS[Math.floor(rand() * CATEGORY_IDS.length)] ?? 1;
      annId += 1 + Math.floor(rand() * 3);
      const crowd = rand() < 0.01;
      let segmentation: string;
      let area: number;
      if (crowd) {
        const counts: number[] = [];
        for (let c = 0; c < 12; c++) counts.push(Math.floor(rand() * 400));
        segmentation = `{"counts": [${counts.join(", ")}], "size": [${height}, ${width}]}`;
        area = round2(w * h * 0.6);
      } else {
        // A short polygon inside the box (COCO's are longer; this keeps the file near 300 MB).
        const points: number[] = [];
        const n = 4 + Math.floor(rand() * 3);
        for (let p = 0; p < n; p++) points.push(round2(x + rand() * w), round2(y + rand() * h));
        segmentation = `[[${points.join(", ")}]]`;
        area = round2(w * h * (0.4 + rand() * 0.5));
      }
      const ann =
        `{"segmentation": ${segmentation}, "area": ${area}, "iscrowd": ${crowd ? 1 : 0}, "image_id": ${imageIds[imageIndex] ?? 9}, ` +
        `"bbox": [${x}, ${y}, ${w}, ${h}], "category_id": ${category}, "id": ${annId}}`;
      await write((a === 0 ? "" : ", ") + ann);
    }
    await write('], "categories": [');
    for (let c = 0; c < CATEGORY_IDS.length; c++) {
      await write(`${c === 0 ? "" : ", "}{"supercategory": "${SUPERCATEGORIES[c % SUPERCATEGORIES.length] ?? "thing"}", "id": ${CATEGORY_IDS[c] ?? 0}, "name": "category_${c}"}`);
    }
    await write("]}\n");
  });
}

interface SideResult {
  images: number;
  annotations: number;
  categories: number;
  errors?: number;
  warnings?: number;
}

function parseSide(run: MeasuredRun, side: string): SideResult {
  const line = run.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as SideResult;
  } catch {
    throw new Error(`bench coco: the ${side} side printed no result line:\n${run.stdout}\n${run.stderr}`);
  }
}

/**
 * The trainset side, in a child process so that time and peak RSS are measured like Python's.
 * `load`: loadCoco (read, validate and index in one pass over the elements). `separate`: the
 * three public calls one after the other (readCoco without validation, indexCoco, validateCoco).
 */
async function loadWithTrainset(mode: "load" | "separate", file: string): Promise<void> {
  // Relative imports keep the child to the COCO modules (the barrel would load every format).
  const { loadCoco, readCoco } = await import("../kernel/src/formats/coco.js");
  const { indexCoco } = await import("../kernel/src/formats/coco-index.js");
  const { validateCoco } = await import("../kernel/src/formats/coco-validate.js");
  let result: { index: ReturnType<typeof indexCoco>; issues: Array<{ severity: string }> };
  if (mode === "load") {
    result = await loadCoco(file);
  } else {
    const dataset = await readCoco(file, { validate: false });
    const index = indexCoco(dataset);
    result = { index, issues: validateCoco(dataset, { file }) };
  }
  const { index, issues } = result;
  let errors = 0;
  for (const issue of issues) if (issue.severity === "error") errors++;
  process.stdout.write(
    JSON.stringify({
      images: index.imagesById.size,
      annotations: index.annsById.size,
      categories: index.catsById.size,
      imagesWithAnnotations: index.annsByImage.size,
      errors,
      warnings: issues.length - errors,
    }) + "\n",
  );
}

/**
 * Compiles the modules the child needs to plain JavaScript (same relative layout), so the child
 * runs like the built CLI does, without tsx compiling TypeScript at startup.
 */
async function compileChild(root: string, outDir: string): Promise<string> {
  // Imported here so that the child itself does not load the compiler.
  const { default: ts } = await import("typescript");
  const sources = [join(root, "bench", "coco.ts"), join(root, "bench", "harness.ts")];
  for (const dir of ["kernel/src/util", "kernel/src/formats"]) {
    for (const name of await readdir(join(root, dir))) {
      if (name.endsWith(".ts") && (dir.endsWith("util") || name.startsWith("coco"))) sources.push(join(root, dir, name));
    }
  }
  for (const source of sources) {
    const { outputText } = ts.transpileModule(await readFile(source, "utf8"), {
      fileName: source,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const target = join(outDir, relative(root, source)).replace(/\.ts$/, ".js");
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }
  await writeFile(join(outDir, "package.json"), '{"type": "module"}\n');
  return join(outDir, "bench", "coco.js");
}

export const cocoBench: BenchEntry = {
  name: "coco",
  issue: 3,
  async run(ctx): Promise<BenchRow[]> {
    const images = ctx.quick ? 11829 : 118287;
    const boxes = ctx.quick ? 86000 : 860001;
    const file = join(ctx.workDir, `coco-train-${images}-${boxes}-v${GENERATOR_VERSION}.json`);
    if (!existsSync(file)) {
      ctx.log(`generating ${file} ...`);
      await generateCoco(file, images, boxes);
    }
    const root = fileURLToPath(new URL("..", import.meta.url));
    const script = await compileChild(root, join(ctx.workDir, "coco-child"));
    const peer = fileURLToPath(new URL("./peers/coco_load.py", import.meta.url));
    const node = (mode: string): Promise<MeasuredRun> =>
      runMeasured(process.execPath, [script, mode, file], { cwd: root });
    const fused: MeasuredRun[] = [];
    const separate: MeasuredRun[] = [];
    const python: MeasuredRun[] = [];
    for (let r = 0; r < REPEATS; r++) {
      // Interleave the sides so that cache and load effects fall on all of them.
      fused.push(await node("load"));
      python.push(await runMeasured(SYSTEM_PYTHON, [peer, file], { cwd: root }));
      separate.push(await node("separate"));
      ctx.log(
        `run ${r + 1}: loadCoco ${formatSeconds(fused[r]?.seconds ?? 0)}, read+index+validate ${formatSeconds(separate[r]?.seconds ?? 0)}, ` +
          `pycocotools-equivalent ${formatSeconds(python[r]?.seconds ?? 0)}`,
      );
    }
    const theirs = parseSide(python[0] as MeasuredRun, "python");
    const theirsSeconds = median(python.map((r) => r.seconds));
    const theirsMb = median(python.map((r) => r.maxRssMb));
    const peerText = `${formatSeconds(theirsSeconds)}, ${theirsMb.toFixed(0)} MB peak (json.load + pycocotools createIndex)`;
    const row = (runs: MeasuredRun[], what: string): BenchRow => {
      const ours = parseSide(runs[0] as MeasuredRun, "trainset");
      if (ours.images !== theirs.images || ours.annotations !== theirs.annotations || ours.categories !== theirs.categories) {
        throw new Error(`bench coco: the sides disagree: trainset ${JSON.stringify(ours)}, python ${JSON.stringify(theirs)}`);
      }
      if ((ours.errors ?? 0) > 0) throw new Error(`bench coco: validation found ${ours.errors} errors in the generated file`);
      const seconds = median(runs.map((r) => r.seconds));
      const ratio = theirsSeconds / seconds;
      return {
        case: `COCO ${what} (${images} images, ${boxes} boxes, 80 categories)`,
        trainset: `${formatSeconds(seconds)}, ${median(runs.map((r) => r.maxRssMb)).toFixed(0)} MB peak`,
        peer: peerText,
        ratio,
        goal: ">= 2x faster, validation on",
        met: ratio >= 2,
        notes: `median of ${REPEATS} whole processes, startup included (trainset compiled to JS, as the built CLI runs); ${ours.warnings ?? 0} warnings, 0 errors`,
      };
    };
    return [row(fused, "loadCoco: load+validate+index in one pass"), row(separate, "readCoco + indexCoco + validateCoco")];
  },
};

const mode = process.argv[2];
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1] && (mode === "load" || mode === "separate")) {
  const file = process.argv[3];
  if (file === undefined) throw new Error("usage: bench/coco.ts load|separate <file>");
  await loadWithTrainset(mode, file);
}
