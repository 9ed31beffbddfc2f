/** `trainset export ai-dataset`: the standardized AI-dataset JSON (schema 1.0) from a video library. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildAiDataset, writeAiDataset } from "../../export/ai-dataset.js";
import { numberFlag, requirePositionals } from "../args.js";
import { DB_OPTIONS, DB_USAGE, openVideoSource } from "../db-flags.js";
import { println, UsageError, type CliCommand } from "../command.js";

const usage = `Usage: trainset export ai-dataset (--library FILE | --db URL) --video-ids 1,2 --output-dir DIR --dataset-id N --name NAME
                                  [--description TEXT] [--dataset-type image|video]
                                  [--ai-model-type image_multilabel_classification] [--labelset NAME] [--json]

Writes DIR/ai_datasets/<name>_<type>_<timestamp>.json (schema_version 1.0: dataset_id, dataset_type,
ai_model_type, summary, patient_videos, frame_annotations), validated before it is written.
Videos that are not anonymization-validated are refused.

${DB_USAGE}`;

/** The `export ai-dataset` command. */
export const exportAiDatasetCommand: CliCommand = {
  name: "export ai-dataset",
  summary: "write the standardized AI-dataset JSON (schema 1.0) for videos of a library",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...DB_OPTIONS, library: { type: "string" }, "video-ids": { type: "string" }, "output-dir": { type: "string" }, "dataset-id": { type: "string" }, name: { type: "string" }, description: { type: "string" }, "dataset-type": { type: "string" }, "ai-model-type": { type: "string" }, labelset: { type: "string" }, json: { type: "boolean" } },
    });
    requirePositionals(positionals, 0, "");
    if ((values.library === undefined) === (values.db === undefined)) throw new UsageError("give one of --library FILE or --db URL");
    for (const flag of ["video-ids", "output-dir", "dataset-id", "name"] as const) if (values[flag] === undefined) throw new UsageError(`missing --${flag}`);
    const type = values["dataset-type"] ?? "image";
    if (type !== "image" && type !== "video") throw new UsageError(`--dataset-type must be image or video, got "${type}"`);
    const videoIds = (values["video-ids"] as string).split(",").map((s) => numberFlag("video-ids", s.trim(), { min: 0, integer: true }) as number);
    const opened = await openVideoSource(values, io, videoIds);
    const source = opened.source;
    await opened.close();
    const doc = buildAiDataset(source, {
      datasetId: numberFlag("dataset-id", values["dataset-id"], { min: 0, integer: true }) as number,
      name: values.name as string,
      videoIds,
      datasetType: type,
      ...(values.description === undefined ? {} : { description: values.description }),
      ...(values["ai-model-type"] === undefined ? {} : { aiModelType: values["ai-model-type"] }),
      ...(values.labelset === undefined ? {} : { labelsetName: values.labelset }),
    });
    const path = await writeAiDataset(resolve(io.cwd, values["output-dir"] as string), doc);
    if (values.json === true) println(io.stdout, JSON.stringify({ path, summary: doc.summary }, null, 2));
    else println(io.stdout, `${path}: ${doc.summary.image_annotation_count + doc.summary.video_annotation_count} annotations, ${doc.summary.frame_count} frames, ${doc.summary.video_count} videos`);
    return 0;
  },
};
