/** The "New Experiment Notebook" template, wired to one dataset. Pure: no vscode. */

/** One cell of the template. */
export interface TemplateCell {
  kind: "markdown" | "code";
  source: string;
}

/** Notebook metadata that names the trainset kernel spec (so Jupyter and VS Code pick it). */
export const TRAINSET_NOTEBOOK_METADATA = {
  kernelspec: { display_name: "TypeScript (trainset)", language: "typescript", name: "trainset" },
  language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
};

/**
 * The cells of an experiment notebook on `datasetPath` (a `kind` dataset, e.g. coco).
 * @example experimentCells("/ws/coco/dataset.json", "coco", "coco/dataset.json")[1]?.source
 */
export function experimentCells(datasetPath: string | undefined, kind: string | undefined, label: string | undefined): TemplateCell[] {
  const path = JSON.stringify(datasetPath ?? "path/to/dataset");
  return [
    { kind: "markdown", source: `# Experiment: ${label ?? "new dataset"}\n\nDataset \`${label ?? "path/to/dataset"}\`${kind === undefined ? "" : ` (${kind})`}. Cells are TypeScript run by the **TypeScript (trainset)** kernel; \`import … from "trainset"\` works in any folder.` },
    { kind: "code", source: `import { detectFormat, display } from "trainset";\n\nconst DATASET = ${path};\nconst handler = await detectFormat(DATASET);\nconst stats = await handler.stats(DATASET);\nconsole.log(\`\${stats.format}: \${stats.images ?? 0} images, \${stats.records ?? 0} \${stats.recordsLabel ?? "records"}\`);` },
    { kind: "code", source: `const perLabel = Object.entries(stats.perLabel ?? {}).map(([label, count]) => ({ label, count }));\ndisplay.vegaLite({\n  title: "Positives per label",\n  data: { values: perLabel },\n  mark: "bar",\n  encoding: { x: { field: "label", type: "nominal", sort: "-y" }, y: { field: "count", type: "quantitative" } },\n});` },
    { kind: "code", source: `const issues = await handler.validate(DATASET, { mode: "collect", maxIssues: 50 });\ndisplay.table(issues.map((i) => ({ severity: i.severity, line: i.line ?? "", field: i.field ?? "", message: i.message })));` },
    { kind: "markdown", source: "Next: split it (`trainset split --help`), train a head (`trainset train --help`) and compare runs in the **Training Runs** view." },
  ];
}
