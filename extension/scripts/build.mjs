// Bundles the extension host (CommonJS, `vscode` external) and the browser bundles (webviews,
// notebook renderer) into extension/dist with esbuild.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "extension", "dist");
const production = process.argv.includes("--production");
const common = { bundle: true, minify: production, sourcemap: !production, logLevel: "warning", legalComments: "none" };

await Promise.all([
  build({ ...common, entryPoints: [join(root, "extension/src/extension.ts")], outfile: join(out, "extension.cjs"), platform: "node", format: "cjs", target: "node20", external: ["vscode"] }),
  build({ ...common, entryPoints: [join(root, "extension/src/editors/coco/coco-worker.ts")], outfile: join(out, "coco-worker.cjs"), platform: "node", format: "cjs", target: "node20" }),
  build({ ...common, entryPoints: { stats: join(root, "webviews/src/stats/main.ts"), runs: join(root, "webviews/src/runs/main.ts"), coco: join(root, "webviews/src/editors/coco/main.ts"), jsonl: join(root, "webviews/src/editors/jsonl/main.ts"), pairs: join(root, "webviews/src/editors/pairs/main.ts") }, outdir: join(out, "webviews"), platform: "browser", format: "iife", target: "es2022" }),
  build({ ...common, entryPoints: { "vegalite-renderer": join(root, "webviews/src/renderer/vegalite-renderer.ts") }, outdir: join(out, "webviews"), platform: "browser", format: "esm", target: "es2022" }),
]);
